package io.stowage.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A streaming write of one object with constant memory. Write the content, then {@link #complete()} to
 * make it visible under its key. {@link #abort()}, any failure, or {@link #close()} without a complete
 * discards what was written and leaves nothing behind (no partial file, no open multipart upload), so
 * try-with-resources is the safe way to use it:
 *
 * <pre>{@code
 * try (ObjectUpload upload = storage.upload(key)) {
 *     source.transferTo(upload);
 *     upload.complete();
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one writer thread.
 */
public abstract class ObjectUpload extends OutputStream {

    private final String key;

    protected ObjectUpload(String key) {
        this.key = key;
    }

    /** The key being written, relative to the storage's prefix. */
    public String key() {
        return key;
    }

    /** Bytes written so far. */
    public abstract long bytesWritten();

    /**
     * Makes the object visible under its key with everything written so far, then releases the upload.
     * On failure the upload is aborted before the exception is thrown.
     */
    public abstract void complete() throws IOException;

    /** Discards the upload and everything written. Idempotent; a no-op after {@link #complete()}. */
    public abstract void abort() throws IOException;

    /** True once {@link #complete()} has returned. */
    public abstract boolean isCompleted();

    /**
     * The version of the object {@link #complete()} made (as {@link ObjectInfo#version()} gives it), so that this
     * very object, and no later one under the same key, can be removed with {@link BackupStorage#deleteVersion};
     * null before complete or when the storage cannot tell.
     */
    public String version() {
        return null;
    }

    /** Aborts unless completed: an upload closed without a complete (an exception unwinding) is discarded. */
    @Override
    public void close() throws IOException {
        if (!isCompleted()) {
            abort();
        }
    }

    /** Does nothing: the content is sent in parts as they fill, and made durable by {@link #complete()}. */
    @Override
    public void flush() {
        // Flushing a half-filled part would only make parts smaller; durability comes with complete().
    }
}
