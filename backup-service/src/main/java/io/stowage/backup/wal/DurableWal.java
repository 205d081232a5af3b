package io.stowage.backup.wal;

import java.time.Duration;

/**
 * How far the cluster's WAL is durable on a storage: the shipper moves it forward, the receiver feeds it back to the
 * slot, a pause waits for it. Also which segment this instance archived last, and where, for the pause's answer.
 */
final class DurableWal {
    // Read on every chunk the receiver takes, so without the lock; written and awaited under it.
    private volatile long end = -1;
    private volatile String lastSegment;
    private volatile String lastStorage;

    /** The position just after the last durable segment; -1 before the first. */
    long end() {
        return end;
    }

    /** A segment is stored on a main storage (and reported). */
    void stored(String segment, String storage) {
        lastSegment = segment;
        lastStorage = storage;
    }

    /** Everything before {@code position} is durable: the slot may let it go. */
    synchronized void durableUpTo(long position) {
        end = position;
        notifyAll();
    }

    /** Waits until everything before {@code target} is durable; false when the timeout came first. */
    synchronized boolean awaitDurable(long target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (end < target && System.nanoTime() < deadline) {
            wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        return end >= target;
    }

    /** What this instance archived last, in words. */
    String lastArchived() {
        String segment = lastSegment;
        return segment == null ? "no segment archived by this instance"
                : "last segment " + segment + " on storage '" + lastStorage + "'";
    }
}
