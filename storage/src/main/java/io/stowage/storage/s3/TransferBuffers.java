package io.stowage.storage.s3;

import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The buffers of one transfer: at most {@code max} of {@code size} bytes, allocated when first needed
 * and recycled, so a transfer's memory is bounded whatever the object's size.
 */
final class TransferBuffers {

    private final int size;
    private final int max;
    private final BlockingQueue<byte[]> free;
    private int allocated;

    TransferBuffers(int size, int max) {
        this.size = size;
        this.max = max;
        this.free = new ArrayBlockingQueue<>(max);
    }

    /** A buffer, waiting for one to be released when all are in use. */
    byte[] take() throws InterruptedIOException {
        byte[] buffer = tryTake();
        if (buffer != null) {
            return buffer;
        }
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a transfer buffer");
        }
    }

    /** A buffer if one is free or may still be allocated, else null. */
    byte[] tryTake() {
        byte[] buffer = free.poll();
        if (buffer == null && allocated < max) {
            allocated++;
            buffer = new byte[size];
        }
        return buffer;
    }

    /** Gives a buffer back; any thread. */
    void release(byte[] buffer) {
        free.offer(buffer);
    }

    int size() {
        return size;
    }
}
