package io.stowage.storage;

/** An object was to be created only if its key was free, and another object is already there. */
public class ObjectExistsException extends StorageException {

    public ObjectExistsException(String message) {
        super(message);
    }
}
