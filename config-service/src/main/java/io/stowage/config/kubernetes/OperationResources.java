package io.stowage.config.kubernetes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.stowage.events.EventJson;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The resources that each ask for one operation (Backup, Restore), as informers cache them: what both controllers
 * share. Every cached resource is handed over again each {@code recheck}, so a request whose publish failed (the
 * broker out of reach) is asked again then, not only at the resource's next change.
 */
final class OperationResources implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OperationResources.class);

    private final KubernetesClient client;
    private final ResourceDefinitionContext kind;
    private final List<String> namespaces;
    private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();
    /** The status this replica last wrote, by uid: the informers' cache may not have it back yet. */
    private final Map<String, Map<String, Object>> written = new ConcurrentHashMap<>();

    /** @param namespaces the namespaces followed; empty means all */
    OperationResources(KubernetesClient client, ResourceDefinitionContext kind, List<String> namespaces) {
        this.client = client;
        this.kind = kind;
        this.namespaces = List.copyOf(namespaces);
    }

    /** Follows the resources: {@code changed} runs on the informers' thread for each added, changed or rechecked one. */
    synchronized void start(Consumer<GenericKubernetesResource> changed, Duration recheck) {
        ResourceEventHandler<GenericKubernetesResource> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource r) {
                changed.accept(r);
            }

            @Override
            public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                changed.accept(after);
            }

            @Override
            public void onDelete(GenericKubernetesResource r, boolean finalStateUnknown) {
                // Nothing else to do: what the operation made stays where it is.
                if (r.getMetadata().getUid() != null) {
                    written.remove(r.getMetadata().getUid());
                }
            }
        };
        var resources = client.genericKubernetesResources(kind);
        if (namespaces.isEmpty()) {
            informers.add(resources.inAnyNamespace().runnableInformer(recheck.toMillis()));
        } else {
            namespaces.forEach(ns -> informers.add(resources.inNamespace(ns).runnableInformer(recheck.toMillis())));
        }
        for (SharedIndexInformer<GenericKubernetesResource> informer : informers) {
            informer.addEventHandler(handler);
            informer.start();
        }
    }

    List<GenericKubernetesResource> cached() {
        List<GenericKubernetesResource> all = new ArrayList<>();
        informers.forEach(i -> all.addAll(i.getStore().list()));
        return all;
    }

    /** A resource's status, as a map (empty when it has none). */
    static Map<String, Object> status(GenericKubernetesResource r) {
        return BackupConfigResources.status(r);
    }

    /**
     * A resource's status as this replica last wrote it, else as cached. Only the leader writes status, so what it
     * wrote last is the newest; a new leader starts from the cache.
     */
    Map<String, Object> currentStatus(GenericKubernetesResource r) {
        Map<String, Object> mine = r.getMetadata().getUid() == null ? null : written.get(r.getMetadata().getUid());
        return mine != null ? mine : status(r);
    }

    /** A resource's spec, as a map (empty when it has none). */
    static Map<?, ?> spec(GenericKubernetesResource r) {
        return r.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
    }

    /**
     * The id of the operation a resource asks for: its name and the first 8 characters of its uid, so that a second
     * delivery, or a new leader, asks again with the same id.
     */
    static String operationId(GenericKubernetesResource r) {
        String name = r.getMetadata().getName();
        String uid = r.getMetadata().getUid() == null ? "" : r.getMetadata().getUid().replace("-", "");
        return (name.length() > 100 ? name.substring(0, 100) : name) + "-" + uid.substring(0, Math.min(8, uid.length()));
    }

    /**
     * Writes a resource's status whole, with a JSON patch of the status subresource. Best effort: a failure is logged,
     * and the next event or recheck writes it again.
     */
    void writeStatus(GenericKubernetesResource r, Map<String, Object> status) {
        if (status.equals(currentStatus(r))) {
            return;
        }
        ArrayNode patch = EventJson.MAPPER.createArrayNode();
        patch.addObject().put("op", "add").put("path", "/status").set("value", EventJson.MAPPER.valueToTree(status));
        try {
            client.genericKubernetesResources(kind).inNamespace(r.getMetadata().getNamespace()).resource(r)
                    .subresource("status").patch(PatchContext.of(PatchType.JSON), patch.toString());
            if (r.getMetadata().getUid() != null) {
                written.put(r.getMetadata().getUid(), Collections.unmodifiableMap(new LinkedHashMap<>(status)));
            }
        } catch (RuntimeException e) {
            LOG.warnf("%s %s/%s: could not write its status: %s", kind.getKind(), r.getMetadata().getNamespace(),
                    r.getMetadata().getName(), e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        informers.forEach(SharedIndexInformer::close);
        informers.clear();
        written.clear();
    }
}
