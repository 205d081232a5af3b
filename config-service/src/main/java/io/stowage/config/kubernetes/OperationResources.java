package io.stowage.config.kubernetes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.stowage.events.Envelope;
import io.stowage.events.EventJson;
import io.stowage.events.EventSchemas;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The resources that each ask for one operation (Backup, Restore), as informers cache them: what both controllers
 * share. Every cached resource is handed over again each {@code recheck}, so a request whose publish failed (the
 * broker out of reach) is asked again then, and a status whose write failed is written again, not only at the
 * resource's next change.
 */
final class OperationResources implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OperationResources.class);

    private final KubernetesClient client;
    private final ResourceDefinitionContext kind;
    private final List<String> namespaces;
    private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new CopyOnWriteArrayList<>();
    /**
     * The status this replica wants each resource to have, by uid: the informers' cache may not have it back yet, or
     * its write failed (then {@link #unwritten} has the uid, and the next recheck writes it again).
     */
    private final Map<String, Map<String, Object>> wanted = new ConcurrentHashMap<>();
    private final Set<String> unwritten = ConcurrentHashMap.newKeySet();

    /** @param namespaces the namespaces followed; empty means all */
    OperationResources(KubernetesClient client, ResourceDefinitionContext kind, List<String> namespaces) {
        this.client = client;
        this.kind = kind;
        this.namespaces = List.copyOf(namespaces);
    }

    /**
     * Follows the resources: {@code changed} runs on the informers' thread for each added, changed or rechecked one.
     * Returns once the informers have listed them all: events of their operations that queued meanwhile (a leader
     * change mid-restore) must find their resource in the cache, or their status would never move again.
     *
     * @throws IllegalStateException when the API server has not answered the list within {@code listTimeout}
     */
    void start(Consumer<GenericKubernetesResource> changed, Duration recheck, Duration listTimeout) {
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
                    wanted.remove(r.getMetadata().getUid());
                    unwritten.remove(r.getMetadata().getUid());
                }
            }
        };
        var resources = client.genericKubernetesResources(kind);
        List<SharedIndexInformer<GenericKubernetesResource>> started = new ArrayList<>();
        if (namespaces.isEmpty()) {
            started.add(resources.inAnyNamespace().runnableInformer(recheck.toMillis()));
        } else {
            namespaces.forEach(ns -> started.add(resources.inNamespace(ns).runnableInformer(recheck.toMillis())));
        }
        informers.addAll(started);
        for (SharedIndexInformer<GenericKubernetesResource> informer : started) {
            informer.addEventHandler(handler);
            try {
                informer.start().toCompletableFuture().get(listTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while listing " + kind.getPlural(), e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("could not list " + kind.getPlural() + " within " + listTimeout
                        .toSeconds() + " s: " + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
            }
        }
    }

    /**
     * Writes again a status whose write failed. The controllers call it first thing for each resource the informers
     * hand over (a change, or the recheck), under the same lock as their other writes, so an older status never
     * lands after a newer one.
     */
    void writeAgainIfUnwritten(GenericKubernetesResource r) {
        String uid = r.getMetadata().getUid();
        Map<String, Object> status = uid == null || !unwritten.contains(uid) ? null : wanted.get(uid);
        if (status != null) {
            patch(r, status);
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
     * A resource's status as this replica last wanted it (written, or to be written again), else as cached. Only the
     * leader writes status, so what it wanted last is the newest; a new leader starts from the cache.
     */
    Map<String, Object> currentStatus(GenericKubernetesResource r) {
        Map<String, Object> mine = r.getMetadata().getUid() == null ? null : wanted.get(r.getMetadata().getUid());
        return mine != null ? mine : status(r);
    }

    /**
     * Why an event built from a resource's spec would be rejected by its consumers (the contract's JSON Schema), or
     * empty when it is valid. The CRD's schema and rules catch most of it; a server without CEL, or a rule the CRD
     * cannot say, lets the rest through.
     */
    static Optional<String> violation(Envelope<?> event) {
        List<String> violations = EventSchemas.violations(event.type(), EventJson.tree(event.data()));
        return violations.isEmpty() ? Optional.empty() : Optional.of("the spec does not make a valid "
                + event.type().type() + ": " + String.join("; ", violations));
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
     * Writes a resource's status whole, with a JSON patch of the status subresource. A failure is logged, and the
     * status is written again at the resource's next change or recheck (every {@code recheck}).
     */
    void writeStatus(GenericKubernetesResource r, Map<String, Object> status) {
        if (status.equals(currentStatus(r)) && !unwritten.contains(r.getMetadata().getUid())) {
            return;
        }
        if (r.getMetadata().getUid() != null) {
            wanted.put(r.getMetadata().getUid(), Collections.unmodifiableMap(new LinkedHashMap<>(status)));
        }
        patch(r, status);
    }

    private void patch(GenericKubernetesResource r, Map<String, Object> status) {
        ArrayNode patch = EventJson.MAPPER.createArrayNode();
        patch.addObject().put("op", "add").put("path", "/status").set("value", EventJson.MAPPER.valueToTree(status));
        String uid = r.getMetadata().getUid();
        try {
            client.genericKubernetesResources(kind).inNamespace(r.getMetadata().getNamespace()).resource(r)
                    .subresource("status").patch(PatchContext.of(PatchType.JSON), patch.toString());
            if (uid != null) {
                unwritten.remove(uid);
            }
        } catch (RuntimeException e) {
            if (uid != null) {
                unwritten.add(uid);
            }
            LOG.warnf("%s %s/%s: could not write its status (written again at its next recheck): %s",
                    kind.getKind(), r.getMetadata().getNamespace(), r.getMetadata().getName(), e.getMessage());
        }
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        informers.clear();
        wanted.clear();
        unwritten.clear();
    }
}
