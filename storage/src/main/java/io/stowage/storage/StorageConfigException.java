package io.stowage.storage;

/**
 * A storage cannot be opened as configured: a missing or unreadable secret, a bad CA bundle, a missing
 * field. The message names the storage and the field or secret, never a secret's value.
 */
public class StorageConfigException extends RuntimeException {

    public StorageConfigException(String message) {
        super(message);
    }

    public StorageConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
