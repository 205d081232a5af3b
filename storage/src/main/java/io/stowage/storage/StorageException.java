package io.stowage.storage;

import java.io.IOException;

/** A storage operation failed; the message names the storage and the key, never a secret. */
public class StorageException extends IOException {

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
