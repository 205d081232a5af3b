package io.stowage.storage;

/** A secret, or a key in it, that a storage's config names does not exist. Names them, never a value. */
public class MissingSecretException extends StorageConfigException {

    private final String secret;
    private final String key;

    public MissingSecretException(String secret, String key, String message) {
        super(message);
        this.secret = secret;
        this.key = key;
    }

    /** The secret's name. */
    public String secret() {
        return secret;
    }

    /** The key asked for in it. */
    public String key() {
        return key;
    }
}
