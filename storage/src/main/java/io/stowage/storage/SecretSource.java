package io.stowage.storage;

/**
 * Where secrets referenced by name in a config are read from: a {@link SecretsFolder} (local mode, or Secrets mounted as
 * volumes), or the Kubernetes API (storage-kubernetes).
 */
@FunctionalInterface
public interface SecretSource {

    /**
     * The value of {@code key} in the secret named {@code secret}.
     *
     * @throws MissingSecretException when the secret or the key does not exist
     */
    byte[] read(String secret, String key);

    /**
     * The secrets of one cluster: in Kubernetes, those of the cluster's namespace (the id is {@code namespace/name});
     * a folder has one set for all.
     */
    default SecretSource forCluster(String cluster) {
        return this;
    }
}
