package io.stowage.config.kubernetes;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.UUID;

/** Kubernetes Events on a BackupConfig ({@code kubectl describe bc} shows them): refusals, applies. Best effort. */
public class ResourceEvents {
    private static final Logger LOG = Logger.getLogger(ResourceEvents.class);
    private static final String COMPONENT = "stowage-config-service";

    private final KubernetesClient client;

    public ResourceEvents(KubernetesClient client) {
        this.client = client;
    }

    public void normal(GenericKubernetesResource on, String reason, String message) {
        record(on, "Normal", reason, message);
    }

    public void warning(GenericKubernetesResource on, String reason, String message) {
        record(on, "Warning", reason, message);
    }

    private void record(GenericKubernetesResource on, String type, String reason, String message) {
        String namespace = on.getMetadata().getNamespace();
        String now = Instant.now().toString();
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withNamespace(namespace)
                    .withName(on.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
                    .endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(on.getApiVersion())
                            .withKind(on.getKind()).withNamespace(namespace).withName(on.getMetadata().getName())
                            .withUid(on.getMetadata().getUid())
                            .withResourceVersion(on.getMetadata().getResourceVersion()).build())
                    .withType(type).withReason(reason).withMessage(message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .build()).create();
        } catch (RuntimeException e) {
            LOG.warnf("could not record event %s on %s/%s: %s", reason, namespace, on.getMetadata().getName(),
                    e.getMessage());
        }
    }
}
