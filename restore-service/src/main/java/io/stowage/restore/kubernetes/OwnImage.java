package io.stowage.restore.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * restore-service's own image, read from its Pod (named by the instance id, which is the pod's name on Kubernetes):
 * restore Jobs run the same image, so an image set by Kustomize or Helm needs setting once.
 */
public final class OwnImage {
    static final String CONTAINER = "restore-service";

    private OwnImage() {
    }

    public static String of(KubernetesClient client, String pod) {
        Pod self = pod == null ? null : client.pods().withName(pod).get();
        if (self == null) {
            throw new IllegalStateException("restore-service cannot read its own Pod (" + pod + ") to learn its "
                    + "image, which restore Jobs run: set stowage.restore.jobs.image");
        }
        return self.getSpec().getContainers().stream().filter(c -> CONTAINER.equals(c.getName())).findFirst()
                .or(() -> self.getSpec().getContainers().stream().findFirst())
                .map(Container::getImage)
                .orElseThrow(() -> new IllegalStateException("restore-service's Pod " + pod + " has no container"));
    }
}
