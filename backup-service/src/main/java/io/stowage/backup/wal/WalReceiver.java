package io.stowage.backup.wal;

import io.stowage.postgres.WalSegments;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The receiver thread's work: streams the cluster's WAL through its replication slot into complete segment files in
 * the spool folder, queues them for the shipper and tells the slot what is durable. It reconnects with a backoff
 * when PostgreSQL fails, and stops taking WAL while the queue is full.
 */
final class WalReceiver implements Runnable {
    private static final Logger LOG = Logger.getLogger(WalReceiver.class);

    /** How receiving goes, for the lag report: the queue full, or PostgreSQL failing since when and with what. */
    record Health(boolean queueFull, Instant failingSince, String error) {
        Optional<Duration> failingFor(Instant now) {
            return Optional.ofNullable(failingSince).map(since -> Duration.between(since, now));
        }

        Health streaming() {
            return new Health(queueFull, null, null);
        }

        /** PostgreSQL failed (again): failing since the first failure in a row. */
        Health failing(Instant now, String why) {
            return new Health(queueFull, failingSince == null ? now : failingSince, why);
        }

        Health withQueueFull(boolean full) {
            return new Health(full, failingSince, error);
        }
    }

    private final Primary primary;
    private final Path spool;
    private final ClusterArchiver.Settings settings;
    private final SegmentQueue queue;
    private final DurableWal durable;
    private final TimelineHistory history;
    private final StopSignal stop;
    private final CountDownLatch streaming = new CountDownLatch(1);
    private volatile WalSource.WalStream stream;
    private volatile String streamingFrom;
    // Written by this thread only, read by the lag report.
    private volatile Health health = new Health(false, null, null);
    // This thread only: where the next segment starts, once one was received in this process.
    private long nextReceive = -1;
    private long receiveTimeline = -1;

    WalReceiver(Primary primary, Path spool, ClusterArchiver.Settings settings, SegmentQueue queue, DurableWal durable,
                TimelineHistory history, StopSignal stop) {
        this.primary = primary;
        this.spool = spool;
        this.settings = settings;
        this.queue = queue;
        this.durable = durable;
        this.history = history;
        this.stop = stop;
    }

    Health health() {
        return health;
    }

    /** Waits until WAL streams; returns where it started (segment name), or empty on timeout. */
    Optional<String> awaitStreaming(Duration timeout) throws InterruptedException {
        return streaming.await(timeout.toMillis(), TimeUnit.MILLISECONDS) ? Optional.of(streamingFrom) : Optional.empty();
    }

    /** Cuts the stream from another thread, so a blocked read ends at once. */
    void abort() {
        WalSource.WalStream s = stream;
        if (s != null) {
            s.abort();
        }
    }

    @Override
    public void run() {
        String cluster = primary.cluster();
        String slot = primary.slot();
        Duration backoff = Duration.ofSeconds(1);
        while (stop.running()) {
            boolean full = false;
            try (WalSource source = primary.connect()) {
                long segmentSize = source.segmentSize();
                long timeline = source.timeline();
                WalSource.SlotPosition position = source.ensureSlot(slot);
                Optional<byte[]> historyFile = source.timelineHistory(timeline);
                historyFile.ifPresent(h -> history.received(timeline, h));
                long start = startPosition(timeline, position, historyFile, segmentSize);
                if (position.created()) {
                    LOG.infof("cluster %s: created replication slot %s at %s", cluster, slot,
                            WalSegments.formatLsn(position.restartLsn()));
                }
                try (WalSource.WalStream s = source.stream(slot, start)) {
                    stream = s;
                    if (!stop.running()) {
                        return;
                    }
                    streamingFrom = WalSegments.segmentName(timeline, start, segmentSize);
                    LOG.infof("cluster %s: streaming WAL from %s (slot %s)", cluster, streamingFrom, slot);
                    streaming.countDown();
                    health = health.streaming();
                    backoff = Duration.ofSeconds(1);
                    full = receive(s, timeline, start, segmentSize);
                } finally {
                    stream = null;
                }
            } catch (SQLException | IOException | RuntimeException e) {
                if (!stop.running()) {
                    return;
                }
                LOG.warnf("cluster %s: WAL streaming stopped (%s); again in %s", cluster, e.getMessage(), backoff);
                health = health.failing(Instant.now(), "PostgreSQL: " + e.getMessage());
                if (stop.await(backoff)) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff()
                        : backoff.multipliedBy(2);
            }
            if (full) {
                LOG.debugf("cluster %s: the WAL queue is full (%d MiB); receiving stops until the main storage "
                        + "takes segments again (PostgreSQL keeps the WAL for slot %s)", cluster,
                        settings.queueLimitBytes() >> 20, slot);
                try {
                    while (stop.running() && !queue.awaitRoom(Duration.ofSeconds(1))) {
                        // waiting for the shipper
                    }
                } catch (InterruptedException e) {
                    return;
                }
                health = health.withQueueFull(false);
            }
        }
    }

    private long startPosition(long timeline, WalSource.SlotPosition slotPosition, Optional<byte[]> historyFile,
                               long segmentSize) {
        if (nextReceive >= 0 && timeline == receiveTimeline) {
            return nextReceive; // reconnecting in this process: on from the last complete segment
        }
        long start = WalSegments.segmentStart(slotPosition.restartLsn(), segmentSize);
        Optional<Long> switchPoint = historyFile.flatMap(WalSource::switchPoint);
        if (switchPoint.isPresent()) {
            long first = WalSegments.segmentStart(switchPoint.get(), segmentSize);
            if (slotPosition.created()) {
                // A new slot on a new timeline: the timeline's first segment starts at the switch point, before the
                // slot reserved anything.
                start = Math.min(start, first);
            } else if (start < first) {
                // The slot a restore made as its copy promoted reserves from before the switch point: what lies
                // before it is the parent timeline's, archived under the parent's names.
                start = first;
            }
        }
        receiveTimeline = timeline;
        nextReceive = -1;
        return start;
    }

    /**
     * What the slot may be told is flushed. Everything before {@code durableEnd} is on the main storage. When that is
     * the start of the segment being received (no complete segment waits to be stored), the position received so far
     * is confirmed too: the server keeps the whole segment a slot's position falls in, so nothing that is not stored
     * can go, and a walsender at the server's shutdown, which waits until its receiver has flushed all it sent, is
     * answered at once instead of holding the shutdown for {@code wal_sender_timeout} (60 s). A reconnect streams that
     * segment again from its start.
     */
    static long confirmable(long durableEnd, long segmentStart, long received) {
        return durableEnd > 0 && durableEnd == segmentStart ? received : durableEnd;
    }

    /** Streams into segment files until stopped or the queue is full (returns true then). */
    private boolean receive(WalSource.WalStream s, long timeline, long start, long segmentSize)
            throws SQLException, IOException {
        long position = start;
        long segmentStart = start;
        String name = WalSegments.segmentName(timeline, segmentStart, segmentSize);
        Path partial = spool.resolve(name + ".partial");
        FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        long lastConfirmed = -1;
        try {
            while (stop.running()) {
                long confirmable = confirmable(durable.end(), segmentStart, position);
                if (confirmable > 0 && confirmable != lastConfirmed) {
                    s.confirm(confirmable);
                    lastConfirmed = confirmable;
                }
                ByteBuffer chunk = s.read();
                if (chunk == null) {
                    continue;
                }
                long chunkStart = s.lastEnd() - chunk.remaining();
                if (chunkStart > position) {
                    throw new IOException("the WAL stream jumped from " + WalSegments.formatLsn(position) + " to "
                            + WalSegments.formatLsn(chunkStart));
                }
                if (chunkStart < position) {
                    chunk.position(chunk.position() + (int) Math.min(chunk.remaining(), position - chunkStart));
                }
                while (chunk.hasRemaining()) {
                    int n = (int) Math.min(segmentStart + segmentSize - position, chunk.remaining());
                    ByteBuffer part = chunk.slice();
                    part.limit(n);
                    while (part.hasRemaining()) {
                        out.write(part);
                    }
                    chunk.position(chunk.position() + n);
                    position += n;
                    if (position == segmentStart + segmentSize) {
                        out.close();
                        Path done = spool.resolve(name);
                        Files.move(partial, done, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                        queue.add(new SegmentQueue.Segment(name, timeline, done, segmentSize, position, Instant.now()));
                        nextReceive = position;
                        segmentStart = position;
                        name = WalSegments.segmentName(timeline, segmentStart, segmentSize);
                        partial = spool.resolve(name + ".partial");
                        if (queue.full(segmentSize)) {
                            health = health.withQueueFull(true);
                            return true;
                        }
                        out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                                StandardOpenOption.TRUNCATE_EXISTING);
                    }
                }
            }
            return false;
        } finally {
            out.close();
            Files.deleteIfExists(partial);
        }
    }
}
