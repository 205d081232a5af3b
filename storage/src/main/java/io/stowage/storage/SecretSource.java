package io.stowage.storage;

/** Where secrets referenced by name in a config are read from (local mode: a {@link SecretsFolder}). */
@FunctionalInterface
public interface SecretSource {

    /**
     * The value of {@code key} in the secret named {@code secret}.
     *
     * @throws MissingSecretException when the secret or the key does not exist
     */
    byte[] read(String secret, String key);
}
