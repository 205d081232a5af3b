package io.stowage.backup.pipeline;

import io.stowage.storage.ObjectUpload;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One stream written to several uploads at once: each storage has its own writer thread fed through a short
 * queue of chunks, so a slow storage slows the backup (back-pressure) without the others waiting on every
 * write, and memory stays bounded (targets x queue depth x chunk size). Counts and checksums (SHA-256) what
 * passes through, once.
 */
public final class ParallelFanOut extends OutputStream {
    static final int CHUNK = 1 << 20;
    static final int QUEUE_DEPTH = 4;
    private static final byte[] END = new byte[0];

    private final Map<String, Writer> writers = new LinkedHashMap<>();
    private final MessageDigest sha256;
    private byte[] chunk = new byte[CHUNK];
    private int filled;
    private long bytes;
    private boolean closed;

    /** @param uploads the uploads by storage name */
    public ParallelFanOut(Map<String, ObjectUpload> uploads) {
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        uploads.forEach((name, upload) -> writers.put(name, new Writer(name, upload)));
        writers.values().forEach(w -> w.thread.start());
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, CHUNK - filled);
            System.arraycopy(b, off, chunk, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == CHUNK) {
                dispatch();
            }
        }
    }

    private void dispatch() throws IOException {
        if (filled == 0) {
            return;
        }
        byte[] out = filled == CHUNK ? chunk : Arrays.copyOf(chunk, filled);
        sha256.update(out);
        bytes += out.length;
        for (Writer w : writers.values()) {
            w.offer(out);
        }
        chunk = new byte[CHUNK];
        filled = 0;
    }

    /** Ends the stream and waits until every storage has been written; throws the first storage failure. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        dispatch();
        for (Writer w : writers.values()) {
            w.offer(END);
        }
        List<String> failures = new ArrayList<>();
        for (Writer w : writers.values()) {
            w.join();
            if (w.failure != null) {
                failures.add(w.name + ": " + w.failure.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new IOException("writing to storage failed: " + String.join("; ", failures));
        }
    }

    /** Stops every writer without waiting for queued data (after a failure upstream). */
    public void cancel() {
        closed = true;
        writers.values().forEach(w -> w.thread.interrupt());
        writers.values().forEach(Writer::join);
    }

    public long bytes() {
        return bytes;
    }

    /** The SHA-256 of everything written, as hex; only after {@link #close()}. */
    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** One storage's writer thread. */
    private static final class Writer {
        final String name;
        final ObjectUpload upload;
        final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_DEPTH);
        final Thread thread;
        volatile IOException failure;

        Writer(String name, ObjectUpload upload) {
            this.name = name;
            this.upload = upload;
            this.thread = new Thread(this::run, "write-" + name);
            thread.setDaemon(true);
        }

        void offer(byte[] data) throws IOException {
            if (failure != null) {
                throw new IOException("storage " + name + " failed: " + failure.getMessage(), failure);
            }
            try {
                // A writer that died leaves its queue full: keep checking rather than block forever.
                while (!queue.offer(data, 200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    if (failure != null || !thread.isAlive()) {
                        throw new IOException("storage " + name + " failed: "
                                + (failure == null ? "its writer stopped" : failure.getMessage()), failure);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing to " + name);
            }
        }

        void run() {
            try {
                while (true) {
                    byte[] data = queue.take();
                    if (data == END) {
                        return;
                    }
                    upload.write(data);
                }
            } catch (IOException e) {
                failure = e;
            } catch (InterruptedException e) {
                failure = new InterruptedIOException("cancelled");
            } catch (RuntimeException e) {
                failure = new IOException(e.getMessage(), e);
            }
        }

        void join() {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
