package io.stowage.storage;

/** The object asked for does not exist on the storage. */
public class NoSuchObjectException extends StorageException {

    public NoSuchObjectException(String message) {
        super(message);
    }
}
