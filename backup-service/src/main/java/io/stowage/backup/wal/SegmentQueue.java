package io.stowage.backup.wal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Complete segments waiting on local disk for the main storage, in WAL order, bounded in bytes: the receiver stops
 * when the next segment would not fit, so a storage that stops answering never fills the disk.
 */
final class SegmentQueue {
    /** One complete segment in the spool folder. {@code end} is the position just after it. */
    record Segment(String name, long timeline, Path file, long sizeBytes, long end, Instant receivedAt) {
    }

    /** What is waiting, for lag reports and metrics. */
    record Snapshot(int segments, long bytes, long limitBytes, Optional<Segment> oldest) {
        Duration oldestWait(Instant now) {
            return oldest.map(s -> Duration.between(s.receivedAt(), now)).orElse(Duration.ZERO);
        }
    }

    private final Deque<Segment> segments = new ArrayDeque<>();
    private final long limitBytes;
    private long bytes;

    SegmentQueue(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    synchronized void add(Segment segment) {
        segments.addLast(segment);
        bytes += segment.sizeBytes();
        notifyAll();
    }

    /** The oldest segment, waiting up to {@code wait} for one. */
    synchronized Optional<Segment> peek(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (segments.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return Optional.of(segments.peekFirst());
    }

    /** Removes the oldest segment once it is durable. */
    synchronized void remove(Segment segment) {
        if (segments.peekFirst() == segment) {
            segments.removeFirst();
            bytes -= segment.sizeBytes();
            notifyAll();
        }
    }

    /** True when one more segment of this size would pass the limit (an empty queue always takes one). */
    synchronized boolean full(long nextSize) {
        return !segments.isEmpty() && bytes + nextSize > limitBytes;
    }

    /** Waits until the queue has drained to half its limit (so receiving resumes in strides, not per segment). */
    synchronized boolean awaitRoom(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!segments.isEmpty() && bytes > limitBytes / 2) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(segments.size(), bytes, limitBytes, Optional.ofNullable(segments.peekFirst()));
    }

    /** Empties the queue (the archiver stops: what was not stored stays in PostgreSQL, held by the slot). */
    synchronized List<Segment> clear() {
        List<Segment> all = new ArrayList<>(segments);
        segments.clear();
        bytes = 0;
        notifyAll();
        return all;
    }
}
