package io.stowage.storage.s3;

import io.stowage.storage.ObjectExistsException;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.StorageException;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A streaming multipart upload. The writer fills one part buffer while up to {@code parallelism} full
 * parts upload on the storage's threads; when all buffers are in flight the writer waits. An object
 * smaller than one part goes up as a single PutObject at complete. Every way out but a successful
 * complete ends in AbortMultipartUpload, after the parts in flight have settled, so no open multipart
 * upload is left behind. A new object ({@link io.stowage.storage.BackupStorage#uploadNew}) completes with
 * {@code If-None-Match: *}: the server places it only if the key is free. Its upload id is its own: no other run
 * completes or aborts it but by a cleanup of abandoned uploads.
 */
final class S3Upload extends ObjectUpload {

    private static final Logger LOG = Logger.getLogger(S3Upload.class);
    private static final int MAX_PARTS = 10_000;
    private static final String CONTENT_TYPE = "application/octet-stream";

    private enum State { OPEN, COMPLETED, ABORTED }

    private final S3Storage storage;
    private final String objectKey;
    private final boolean newObject;
    private final TransferBuffers buffers;
    private final List<CompletableFuture<CompletedPart>> parts = new ArrayList<>();
    private final AtomicReference<Throwable> partFailure = new AtomicReference<>();
    private volatile State state = State.OPEN;
    private String uploadId;
    private byte[] current;
    private int filled;
    private long written;
    private volatile String version;

    /** @param newObject complete only if no object is under the key */
    S3Upload(S3Storage storage, String key, boolean newObject) {
        super(key);
        this.storage = storage;
        this.newObject = newObject;
        this.objectKey = storage.objectKey(key);
        this.buffers = new TransferBuffers(storage.tuning().partSize(), storage.tuning().parallelism() + 1);
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (current == null) {
            current = takeBuffer();
        }
        current[filled++] = (byte) b;
        written++;
        if (filled == current.length) {
            sendPart();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        int offset = off;
        int remaining = len;
        while (remaining > 0) {
            if (current == null) {
                current = takeBuffer();
            }
            int n = Math.min(remaining, current.length - filled);
            System.arraycopy(b, offset, current, filled, n);
            filled += n;
            offset += n;
            remaining -= n;
            written += n;
            if (filled == current.length) {
                sendPart();
            }
        }
    }

    @Override
    public long bytesWritten() {
        return written;
    }

    @Override
    public boolean isCompleted() {
        return state == State.COMPLETED;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public void complete() throws IOException {
        ensureOpen();
        try {
            if (uploadId == null) {
                putWhole();
            } else {
                if (filled > 0) {
                    sendPart();
                }
                List<CompletedPart> done = new ArrayList<>(parts.size());
                for (CompletableFuture<CompletedPart> part : parts) {
                    done.add(part.join());
                }
                version = storage.conditions().completeIfAbsent(newObject, objectKey,
                        condition -> storage.client().completeMultipartUpload(r -> r.bucket(storage.bucket())
                                .key(objectKey).uploadId(uploadId).ifNoneMatch(condition)
                                .multipartUpload(m -> m.parts(done))).eTag());
                LOG.debugf("%s: uploaded %s in %d parts, %d bytes", storage.describe(), key(), done.size(), written);
            }
            state = State.COMPLETED;
            current = null;
        } catch (ObjectExistsException e) {
            abortAfter(e);
            throw e;
        } catch (RuntimeException | IOException e) {
            Throwable cause = unwrap(e);
            abortAfter(cause);
            throw storage.failures().translate("upload of " + key(), cause);
        }
    }

    @Override
    public void abort() throws IOException {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        current = null;
        // Queued parts see ABORTED and return at once; running ones finish, so the abort below is the last word.
        for (CompletableFuture<CompletedPart> part : parts) {
            try {
                part.join();
            } catch (RuntimeException ignored) {
                // Failed or skipped: nothing to wait for.
            }
        }
        if (uploadId == null) {
            return;
        }
        try {
            storage.client().abortMultipartUpload(r -> r.bucket(storage.bucket()).key(objectKey).uploadId(uploadId));
            LOG.debugf("%s: aborted the upload of %s after %d bytes", storage.describe(), key(), written);
        } catch (RuntimeException e) {
            if (S3Failures.isNotFound(e)) {
                return; // gone already: a cleanup of abandoned uploads, or the server, removed it
            }
            throw storage.failures().translate("abort of the multipart upload " + uploadId + " of " + key()
                    + " (it stays until a bucket lifecycle rule removes it)", e);
        }
    }

    private void ensureOpen() throws IOException {
        if (state != State.OPEN) {
            throw new StorageException(storage.describe() + ": upload of " + key() + " is already "
                    + (state == State.COMPLETED ? "completed" : "aborted"));
        }
        Throwable failure = partFailure.get();
        if (failure != null) {
            abortAfter(failure);
            throw storage.failures().translate("upload of " + key(), failure);
        }
    }

    private byte[] takeBuffer() throws IOException {
        try {
            byte[] buffer = buffers.take();
            filled = 0;
            // A failed part releases its buffer too: look before filling it.
            ensureOpen();
            return buffer;
        } catch (InterruptedIOException e) {
            abortAfter(e);
            throw e;
        }
    }

    private void sendPart() throws IOException {
        if (parts.size() == MAX_PARTS) {
            IOException tooBig = new StorageException(storage.describe() + ": " + key() + " needs more than "
                    + MAX_PARTS + " parts of " + buffers.size() + " bytes; raise the part size");
            abortAfter(tooBig);
            throw tooBig;
        }
        if (uploadId == null) {
            try {
                uploadId = storage.client().createMultipartUpload(r -> r.bucket(storage.bucket()).key(objectKey)
                        .contentType(CONTENT_TYPE)).uploadId();
            } catch (RuntimeException e) {
                abortAfter(e);
                throw storage.failures().translate("upload of " + key(), e);
            }
        }
        int partNumber = parts.size() + 1;
        byte[] buffer = current;
        int length = filled;
        current = null;
        filled = 0;
        String id = uploadId;
        CompletableFuture<CompletedPart> part;
        try {
            part = CompletableFuture.supplyAsync(() -> uploadPart(id, partNumber, buffer, length), storage.transfers());
        } catch (RuntimeException rejected) {
            buffers.release(buffer);
            abortAfter(rejected);
            throw storage.failures().translate("upload of " + key() + " (the storage is closed)", rejected);
        }
        parts.add(part.whenComplete((done, failure) -> {
            buffers.release(buffer);
            if (failure != null && !(unwrap(failure) instanceof CancellationException)) {
                partFailure.compareAndSet(null, unwrap(failure));
            }
        }));
    }

    private CompletedPart uploadPart(String id, int partNumber, byte[] buffer, int length) {
        if (state == State.ABORTED) {
            throw new CancellationException("upload aborted");
        }
        // A fresh stream per attempt: the SDK may retry the part.
        RequestBody body = RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length),
                length, CONTENT_TYPE);
        String etag = storage.client().uploadPart(r -> r.bucket(storage.bucket()).key(objectKey).uploadId(id)
                .partNumber(partNumber).contentLength((long) length), body).eTag();
        return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
    }

    private void putWhole() throws ObjectExistsException {
        byte[] buffer = current;
        int length = filled;
        RequestBody body = buffer == null
                ? RequestBody.empty()
                : RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length, CONTENT_TYPE);
        version = storage.conditions().completeIfAbsent(newObject, objectKey,
                condition -> storage.client().putObject(r -> r.bucket(storage.bucket()).key(objectKey)
                        .contentType(CONTENT_TYPE).contentLength((long) length).ifNoneMatch(condition), body).eTag());
        LOG.debugf("%s: uploaded %s in one request, %d bytes", storage.describe(), key(), written);
    }

    // Aborts because of `cause`; an abort failure is attached to it rather than hiding it.
    private void abortAfter(Throwable cause) {
        try {
            abort();
        } catch (IOException | RuntimeException e) {
            LOG.errorf("%s", e.getMessage());
            if (cause != e) {
                cause.addSuppressed(e);
            }
        }
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
