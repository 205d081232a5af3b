package io.stowage.storage.s3;

import io.stowage.storage.NoSuchObjectException;
import io.stowage.storage.StorageException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * An object read as parallel ranged GETs delivered in order. The first range streams straight from its
 * response while the next {@code parallelism - 1} ranges are fetched into recycled buffers ahead of the
 * reader; read-ahead stops when {@code parallelism} ranges are waiting, so memory stays at most
 * {@code rangeSize x (parallelism + 1)}. Every range is fetched with If-Match on the first response's
 * ETag: an object replaced midway fails the read instead of mixing two versions.
 */
final class S3Download extends InputStream {

    private static final int ATTEMPTS = 3;

    private record Range(long start, long end) {
        int length() {
            return (int) (end - start + 1);
        }
    }

    private record Chunk(byte[] buffer, int length) {
    }

    private final S3Storage storage;
    private final String key;
    private final String objectKey;
    private final String eTag;
    private final long size;
    private final int rangeSize;
    private final int parallelism;
    private final TransferBuffers buffers;
    private final Deque<CompletableFuture<Chunk>> ahead = new ArrayDeque<>();
    private long nextRangeStart;
    private InputStream current;
    private byte[] currentBuffer;
    private final byte[] single = new byte[1];
    private volatile boolean closed;

    private S3Download(S3Storage storage, String key, ResponseInputStream<GetObjectResponse> first, long size) {
        this.storage = storage;
        this.key = key;
        this.objectKey = storage.objectKey(key);
        this.eTag = first.response().eTag();
        this.size = size;
        this.rangeSize = storage.tuning().rangeSize();
        this.parallelism = storage.tuning().parallelism();
        this.buffers = new TransferBuffers(rangeSize, parallelism + 1);
        this.current = first;
        this.nextRangeStart = Math.min(size, rangeSize);
        fetchAhead();
    }

    /**
     * Opens {@code key} with a GET of its first range; an object that fits in one range is then just
     * that response's stream.
     */
    static InputStream open(S3Storage storage, String key) throws IOException {
        String objectKey = storage.objectKey(key);
        ResponseInputStream<GetObjectResponse> first;
        try {
            first = storage.client().getObject(r -> r.bucket(storage.bucket()).key(objectKey)
                    .range("bytes=0-" + (storage.tuning().rangeSize() - 1)));
        } catch (RuntimeException e) {
            if (S3Failures.isNotFound(e)) {
                throw new NoSuchObjectException(storage.describe() + ": no object " + key);
            }
            if (e instanceof S3Exception s3 && s3.statusCode() == 416) {
                // A range of an empty object is not satisfiable.
                return InputStream.nullInputStream();
            }
            throw storage.failures().translate("download of " + key, e);
        }
        try {
            long size = totalSize(first.response());
            if (size <= storage.tuning().rangeSize()) {
                return first;
            }
            return new S3Download(storage, key, first, size);
        } catch (IOException | RuntimeException e) {
            first.abort();
            first.close();
            throw e instanceof StorageException se ? se : storage.failures().translate("download of " + key, e);
        }
    }

    @Override
    public int read() throws IOException {
        int n = read(single, 0, 1);
        return n < 0 ? -1 : single[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("download of " + key + " is closed");
        }
        if (len == 0) {
            return 0;
        }
        while (current != null) {
            int n = current.read(b, off, len);
            if (n > 0) {
                return n;
            }
            nextRange();
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        // Fetches not yet started see `closed` and skip; running ones end on their own.
        ahead.forEach(f -> f.cancel(false));
        ahead.clear();
        InputStream open = current;
        current = null;
        if (open instanceof ResponseInputStream<?> response) {
            // Do not read the rest of the range just to reuse the connection.
            response.abort();
        }
        if (open != null) {
            open.close();
        }
    }

    private void nextRange() throws IOException {
        if (current instanceof ResponseInputStream<?> first) {
            first.close();
        }
        if (currentBuffer != null) {
            buffers.release(currentBuffer);
            currentBuffer = null;
        }
        CompletableFuture<Chunk> next = ahead.poll();
        fetchAhead();
        if (next == null) {
            current = null;
            return;
        }
        Chunk chunk;
        try {
            chunk = next.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new InterruptedIOException("interrupted while downloading " + key);
        } catch (ExecutionException | CancellationException e) {
            close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw storage.failures().translate("download of " + key, cause);
        }
        currentBuffer = chunk.buffer();
        current = new ByteArrayInputStream(chunk.buffer(), 0, chunk.length());
    }

    // Keeps up to `parallelism` ranges fetched or in flight ahead of the reader.
    private void fetchAhead() {
        while (nextRangeStart < size && ahead.size() < parallelism) {
            byte[] buffer = buffers.tryTake();
            if (buffer == null) {
                return;
            }
            Range range = new Range(nextRangeStart, Math.min(size, nextRangeStart + rangeSize) - 1);
            nextRangeStart = range.end() + 1;
            CompletableFuture<Chunk> fetch = CompletableFuture.supplyAsync(() -> fetch(range, buffer),
                    storage.transfers());
            fetch.whenComplete((done, failure) -> {
                if (failure != null) {
                    buffers.release(buffer);
                }
            });
            ahead.add(fetch);
        }
    }

    private Chunk fetch(Range range, byte[] buffer) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (closed) {
                throw new CancellationException("download closed");
            }
            try (ResponseInputStream<GetObjectResponse> in = storage.client().getObject(r -> r
                    .bucket(storage.bucket()).key(objectKey).ifMatch(eTag)
                    .range("bytes=" + range.start() + "-" + range.end()))) {
                int n = in.readNBytes(buffer, 0, range.length());
                if (n != range.length()) {
                    throw new IOException("range " + range.start() + "-" + range.end() + " ended after " + n + " bytes");
                }
                return new Chunk(buffer, n);
            } catch (S3Exception e) {
                // The server answered: a retry would get the same answer (the SDK already retried what it could).
                throw e;
            } catch (IOException e) {
                last = new UncheckedIOException(e);
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last;
    }

    // The object's size from the first range's Content-Range; without one the server sent the whole object.
    private static long totalSize(GetObjectResponse response) throws StorageException {
        String contentRange = response.contentRange();
        if (contentRange != null && contentRange.contains("/")) {
            String total = contentRange.substring(contentRange.lastIndexOf('/') + 1).trim();
            try {
                return Long.parseLong(total);
            } catch (NumberFormatException e) {
                throw new StorageException("unexpected Content-Range from the server: " + contentRange);
            }
        }
        return 0;
    }
}
