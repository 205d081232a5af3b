package io.stowage.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Local-mode secrets: secret {@code N} key {@code K} is the file {@code <folder>/N/K}, the layout of a
 * Kubernetes Secret mounted as a volume. Values are read when asked for, so a rotated secret is picked
 * up by the next storage opened.
 */
public final class SecretsFolder implements SecretSource {

    // Kubernetes object names and Secret keys; anything else (a '/', '..') could leave the folder.
    private static final Pattern SECRET_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern KEY_NAME = Pattern.compile("[-._a-zA-Z0-9]{1,253}");

    private final Path folder;

    public SecretsFolder(Path folder) {
        this.folder = folder;
    }

    /** The folder secrets are read from. */
    public Path folder() {
        return folder;
    }

    @Override
    public byte[] read(String secret, String key) {
        if (secret == null || !SECRET_NAME.matcher(secret).matches() || secret.contains("..")) {
            throw new MissingSecretException(secret, key, "'" + secret + "' is not a valid secret name"
                    + " (lowercase letters, digits, '-' and '.')");
        }
        if (key == null || !KEY_NAME.matcher(key).matches() || key.equals(".") || key.equals("..")) {
            throw new MissingSecretException(secret, key, "'" + key + "' is not a valid key of secret '"
                    + secret + "'");
        }
        Path secretFolder = folder.resolve(secret);
        if (!Files.isDirectory(secretFolder)) {
            throw new MissingSecretException(secret, key, "secret '" + secret + "' not found: no folder "
                    + secretFolder + " in the secrets folder");
        }
        Path file = secretFolder.resolve(key);
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new MissingSecretException(secret, key, "secret '" + secret + "' has no key '" + key
                    + "': no file " + file);
        } catch (IOException e) {
            throw new StorageConfigException("cannot read key '" + key + "' of secret '" + secret + "' ("
                    + file + "): " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "secrets folder " + folder;
    }
}
