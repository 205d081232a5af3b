package io.stowage.config.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.stowage.config.model.ConfigDocument;
import io.stowage.events.EventJson;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The BackupConfig resources, as Kubernetes serves them: followed with informers (one for all namespaces, or one per
 * namespace named), read from their caches as config documents, and written back: their status (through the status
 * subresource) and the removal of the {@code stowage.io/resync} annotation. Secrets are read by name, in the
 * resource's namespace, when asked for (never listed or watched).
 */
public final class BackupConfigResources implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackupConfigResources.class);

    public static final ResourceDefinitionContext BACKUP_CONFIG = new ResourceDefinitionContext.Builder()
            .withGroup("stowage.io").withVersion("v1alpha1").withKind("BackupConfig").withPlural("backupconfigs")
            .withNamespaced(true).build();
    /** How a resource is named in rejections and in the topology's {@code source}. */
    public static final String SOURCE_PREFIX = "BackupConfig ";

    private final KubernetesClient client;
    private final List<String> namespaces;
    private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();

    /** @param namespaces the namespaces to follow; empty: all */
    public BackupConfigResources(KubernetesClient client, List<String> namespaces) {
        this.client = client;
        this.namespaces = List.copyOf(namespaces);
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
            Resource<GenericKubernetesResource>> resources() {
        return client.genericKubernetesResources(BACKUP_CONFIG);
    }

    /** Starts following; {@code changed} runs on the informers' thread after any add, update or delete. */
    public synchronized void start(Runnable changed) {
        ResourceEventHandler<GenericKubernetesResource> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource r) {
                changed.run();
            }

            @Override
            public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                // A status this service wrote changes neither the generation (the spec) nor the annotations (the
                // resync request): applying again for it would read every Secret at each status refresh.
                if (!Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration())
                        || !Objects.equals(before.getMetadata().getAnnotations(), after.getMetadata().getAnnotations())) {
                    changed.run();
                }
            }

            @Override
            public void onDelete(GenericKubernetesResource r, boolean finalStateUnknown) {
                changed.run();
            }
        };
        if (namespaces.isEmpty()) {
            informers.add(resources().inAnyNamespace().runnableInformer(0));
        } else {
            namespaces.forEach(ns -> informers.add(resources().inNamespace(ns).runnableInformer(0)));
        }
        for (SharedIndexInformer<GenericKubernetesResource> informer : informers) {
            informer.addEventHandler(handler);
            informer.start().whenComplete((done, failure) -> {
                if (failure != null) {
                    LOG.errorf("cannot follow BackupConfig resources: %s", failure.getMessage());
                } else {
                    // Listed: with no resource at all there is no add to apply on, and the first apply (what
                    // readiness waits for) must not wait for the next rescan.
                    changed.run();
                }
            });
        }
        LOG.infof("following BackupConfig resources in %s",
                namespaces.isEmpty() ? "all namespaces" : "namespaces " + namespaces);
    }

    /** True once every informer has listed its resources: before, a missing resource is not a removed one. */
    public boolean synced() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** The resources in the caches, in a stable order. */
    public List<GenericKubernetesResource> cached() {
        List<GenericKubernetesResource> all = new ArrayList<>();
        informers.forEach(i -> all.addAll(i.getStore().list()));
        all.sort(Comparator.comparing((GenericKubernetesResource r) -> r.getMetadata().getNamespace())
                .thenComparing(r -> r.getMetadata().getName()));
        return all;
    }

    /** A resource as a config document, named {@code BackupConfig <namespace>/<name>}. */
    public static ConfigDocument document(GenericKubernetesResource r) {
        JsonNode node = EventJson.MAPPER.valueToTree(r);
        return new ConfigDocument(source(r), 1, node);
    }

    public static String source(GenericKubernetesResource r) {
        return SOURCE_PREFIX + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
    }

    /** The resource's status, as read (empty when none). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> status(GenericKubernetesResource r) {
        Object status = r.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /**
     * Writes a resource's status whole, with a JSON patch of the status subresource (a merge patch would merge the
     * condition lists some servers keep, not replace them).
     */
    public void writeStatus(GenericKubernetesResource r, Map<String, Object> status) {
        ArrayNode patch = EventJson.MAPPER.createArrayNode();
        patch.addObject().put("op", "add").put("path", "/status").set("value", EventJson.MAPPER.valueToTree(status));
        // On the cached resource: by name alone, the client would read it from the server first.
        resources().inNamespace(r.getMetadata().getNamespace()).resource(r)
                .subresource("status").patch(PatchContext.of(PatchType.JSON), patch.toString());
    }

    /** Removes an annotation (a JSON patch: other annotations and the spec stay as they are). */
    public void removeAnnotation(GenericKubernetesResource r, String annotation) {
        ArrayNode patch = EventJson.MAPPER.createArrayNode();
        patch.addObject().put("op", "remove").put("path", "/metadata/annotations/"
                + annotation.replace("~", "~0").replace("/", "~1"));
        resources().inNamespace(r.getMetadata().getNamespace()).resource(r)
                .patch(PatchContext.of(PatchType.JSON), patch.toString());
    }

    /**
     * What is wrong with Secret {@code secret} of {@code namespace} for these keys: not found, or a key missing or
     * empty; empty when all is there. The values are never kept nor logged.
     */
    public Optional<String> missing(String namespace, String secret, List<String> keys) {
        Secret s;
        try {
            s = client.secrets().inNamespace(namespace).withName(secret).get();
        } catch (KubernetesClientException e) {
            return Optional.of("Secret " + namespace + "/" + secret + " cannot be read: " + e.getMessage());
        }
        if (s == null) {
            return Optional.of("Secret " + namespace + "/" + secret + " not found (keys " + String.join(", ", keys)
                    + " are read from it)");
        }
        for (String key : keys) {
            String data = s.getData() == null ? null : s.getData().get(key);
            String plain = s.getStringData() == null ? null : s.getStringData().get(key);
            if ((data == null || data.isEmpty()) && (plain == null || plain.isEmpty())) {
                return Optional.of("Secret " + namespace + "/" + secret + " has no key " + key);
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        informers.forEach(SharedIndexInformer::close);
        informers.clear();
    }
}
