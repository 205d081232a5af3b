package io.stowage.backup.wal;

import com.github.luben.zstd.ZstdOutputStream;
import io.stowage.events.WalSegments;
import io.stowage.events.data.WalArchived;
import io.stowage.events.data.WalLag;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.StorageLayout;
import org.jboss.logging.Logger;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Continuous WAL archiving of one cluster: a receiver thread streams WAL through the cluster's replication slot into
 * complete segment files in a local spool folder; a shipper thread compresses each segment, checksums it and stores
 * it on the CURRENT main storage, records it ({@code wal.archived.v1}), and only then lets the slot advance past it.
 * So whatever happens to this process, PostgreSQL keeps every segment until it is durable on a storage, and a segment
 * archived twice is archived with the same content.
 */
public final class ClusterArchiver {
    private static final Logger LOG = Logger.getLogger(ClusterArchiver.class);
    private static final int COPY_BUFFER = 256 * 1024;

    /** How archiving behaves: see {@code stowage.wal.*}. */
    public record Settings(Path spoolFolder, long queueLimitBytes, Duration lagAlert, Duration maxBackoff,
                           int zstdLevel) {
    }

    /** The main storage, as the topology says it is now. */
    public record Target(String name, BackupStorage storage) {
    }

    /** Where archiving reports to. {@link #archived} may throw: the segment is then stored and reported again. */
    public interface Listener {
        void archived(WalArchived archived, Duration latency);

        void lag(WalLag lag);
    }

    /** What a pause left archived. */
    public record PauseResult(boolean complete, String detail) {
    }

    /** What the archiver is doing, for metrics and status. */
    public record Status(int queuedSegments, long queuedBytes, Duration oldestWait, boolean lagging) {
    }

    private record HistoryFile(long timeline, byte[] content) {
    }

    private final String cluster;
    private final PostgresSpec postgres;
    private final String password;
    private final Settings settings;
    private final Supplier<Optional<Target>> main;
    private final Listener listener;
    private final String slot;
    private final Path spool;
    private final SegmentQueue queue;
    private final AtomicLong confirmed = new AtomicLong(-1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch streaming = new CountDownLatch(1);
    private final Set<String> historyStoredOn = ConcurrentHashMap.newKeySet();
    private final Thread receiver;
    private final Thread shipper;
    private volatile boolean running;
    private volatile WalSource.WalStream stream;
    private volatile HistoryFile history;
    private volatile boolean queueFull;
    private volatile Optional<LagReport> lastLag = Optional.empty();
    private volatile String lastError;
    private volatile Instant receiveFailingSince;
    private volatile String receiveError;
    private volatile String lastSegment;
    private volatile String lastStorage;
    private volatile String streamingFrom;
    // Receiver thread only: where the next segment starts, once one was received in this process.
    private long nextReceive = -1;
    private long receiveTimeline = -1;

    public ClusterArchiver(String cluster, PostgresSpec postgres, String password, Settings settings,
                           Supplier<Optional<Target>> main, Listener listener) {
        this.cluster = cluster;
        this.postgres = postgres;
        this.password = password;
        this.settings = settings;
        this.main = main;
        this.listener = listener;
        this.slot = slotName(cluster);
        this.spool = settings.spoolFolder().resolve(slot);
        this.queue = new SegmentQueue(settings.queueLimitBytes());
        this.receiver = new Thread(this::receiveLoop, "wal-receive-" + cluster);
        this.shipper = new Thread(this::shipLoop, "wal-ship-" + cluster);
        receiver.setDaemon(true);
        shipper.setDaemon(true);
    }

    /**
     * The cluster's replication slot: {@code stowage_<cluster>} when the id is a valid slot name already, otherwise
     * its letters and digits plus a hash of the id (slot names are lower case, digits and underscores, 63 at most).
     */
    public static String slotName(String cluster) {
        String plain = cluster.toLowerCase().replaceAll("[^a-z0-9_]", "_");
        if (plain.equals(cluster) && plain.length() <= 55) {
            return "stowage_" + plain;
        }
        String hash = HexFormat.of().formatHex(sha256().digest(cluster.getBytes(StandardCharsets.UTF_8)), 0, 4);
        return "stowage_" + plain.substring(0, Math.min(plain.length(), 45)) + "_" + hash;
    }

    public String cluster() {
        return cluster;
    }

    public PostgresSpec postgres() {
        return postgres;
    }

    public ClusterArchiver start() throws IOException {
        Files.createDirectories(spool);
        clearSpool();
        running = true;
        receiver.start();
        shipper.start();
        return this;
    }

    /** Waits until WAL streams; returns where it started (segment name), or empty on timeout. */
    public Optional<String> awaitStreaming(Duration timeout) throws InterruptedException {
        return streaming.await(timeout.toMillis(), TimeUnit.MILLISECONDS) ? Optional.of(streamingFrom) : Optional.empty();
    }

    /**
     * Archives everything PostgreSQL has written so far (it ends the current segment first), then stops: the first
     * step of a restore. When PostgreSQL does not answer, archives what it already has.
     */
    public PauseResult pause(Duration timeout) throws InterruptedException {
        long target = -1;
        String unreachable = null;
        try (WalSource source = WalSource.connect(postgres, password)) {
            long segmentSize = source.segmentSize();
            long end = source.switchWal();
            target = end % segmentSize == 0 ? end : WalSegments.segmentStart(end, segmentSize) + segmentSize;
        } catch (SQLException e) {
            unreachable = e.getMessage();
        }
        boolean complete = false;
        if (target >= 0) {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (confirmed) {
                while (confirmed.get() < target && System.nanoTime() < deadline) {
                    confirmed.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                }
            }
            complete = confirmed.get() >= target;
        }
        stop();
        String archived = lastSegment == null ? "no segment archived by this instance"
                : "last segment " + lastSegment + " on storage '" + lastStorage + "'";
        if (complete) {
            return new PauseResult(true, "archiving paused; WAL complete up to " + WalSegments.formatLsn(target)
                    + "; " + archived);
        }
        String why = unreachable != null ? "PostgreSQL did not answer (" + unreachable + ")"
                : "the WAL up to " + WalSegments.formatLsn(target) + " was not stored within " + timeout;
        return new PauseResult(false, "archiving paused; " + why + "; " + archived
                + "; later WAL stays in pg_wal for slot " + slot);
    }

    /** Stops both threads; what was not stored stays in PostgreSQL, held by the slot, for whoever archives next. */
    public void stop() {
        running = false;
        stopped.countDown();
        WalSource.WalStream s = stream;
        if (s != null) {
            s.abort();
        }
        shipper.interrupt();
        try {
            receiver.join(10_000);
            shipper.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.clear();
        advanceSlot();
        try {
            clearSpool();
        } catch (IOException e) {
            LOG.warnf("cluster %s: could not empty the WAL spool %s: %s", cluster, spool, e.getMessage());
        }
    }

    /**
     * Tells the slot, now idle, what is durable: feedback travels with the stream at most once a second, so the last
     * segments stored before a stop would otherwise be streamed and stored once more by the next archiver.
     */
    private void advanceSlot() {
        long durable = confirmed.get();
        if (durable <= 0) {
            return;
        }
        try (WalSource source = WalSource.connect(postgres, password)) {
            // The server notices the cut stream within moments; until then the slot is still active.
            for (int attempt = 1; ; attempt++) {
                try {
                    source.advanceSlot(slot, durable);
                    return;
                } catch (SQLException e) {
                    if (attempt == 10) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
        } catch (SQLException e) {
            LOG.debugf("cluster %s: slot %s not advanced on stop (%s); the next archiver stores a few segments again",
                    cluster, slot, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Status status() {
        SegmentQueue.Snapshot snap = queue.snapshot();
        return new Status(snap.segments(), snap.bytes(), snap.oldestWait(Instant.now()),
                lastLag.map(LagReport::lagging).orElse(false));
    }

    private void clearSpool() throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
        }
    }

    // ---- receiving ----

    private void receiveLoop() {
        Duration backoff = Duration.ofSeconds(1);
        while (running) {
            boolean full = false;
            try (WalSource source = WalSource.connect(postgres, password)) {
                long segmentSize = source.segmentSize();
                long timeline = source.timeline();
                WalSource.SlotPosition position = source.ensureSlot(slot);
                Optional<byte[]> historyFile = source.timelineHistory(timeline);
                historyFile.ifPresent(h -> history = new HistoryFile(timeline, h));
                long start = startPosition(timeline, position, historyFile, segmentSize);
                if (position.created()) {
                    LOG.infof("cluster %s: created replication slot %s at %s", cluster, slot,
                            WalSegments.formatLsn(position.restartLsn()));
                }
                try (WalSource.WalStream s = source.stream(slot, start)) {
                    stream = s;
                    if (!running) {
                        return;
                    }
                    streamingFrom = WalSegments.segmentName(timeline, start, segmentSize);
                    LOG.infof("cluster %s: streaming WAL from %s (slot %s)", cluster, streamingFrom, slot);
                    streaming.countDown();
                    receiveFailingSince = null;
                    receiveError = null;
                    backoff = Duration.ofSeconds(1);
                    full = receive(s, timeline, start, segmentSize);
                } finally {
                    stream = null;
                }
            } catch (SQLException | IOException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warnf("cluster %s: WAL streaming stopped (%s); again in %s", cluster, e.getMessage(), backoff);
                if (receiveFailingSince == null) {
                    receiveFailingSince = Instant.now();
                }
                receiveError = "PostgreSQL: " + e.getMessage();
                if (await(backoff)) {
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
                    while (running && !queue.awaitRoom(Duration.ofSeconds(1))) {
                        // waiting for the shipper
                    }
                } catch (InterruptedException e) {
                    return;
                }
                queueFull = false;
            }
        }
    }

    private long startPosition(long timeline, WalSource.SlotPosition slotPosition, Optional<byte[]> historyFile,
                               long segmentSize) {
        if (nextReceive >= 0 && timeline == receiveTimeline) {
            return nextReceive; // reconnecting in this process: on from the last complete segment
        }
        long start = WalSegments.segmentStart(slotPosition.restartLsn(), segmentSize);
        if (slotPosition.created() && historyFile.isPresent()) {
            // A new slot on a new timeline (after a restore): the timeline's first segment starts at the switch
            // point, before the slot reserved anything.
            Optional<Long> switchPoint = WalSource.switchPoint(historyFile.get());
            if (switchPoint.isPresent()) {
                start = Math.min(start, WalSegments.segmentStart(switchPoint.get(), segmentSize));
            }
        }
        receiveTimeline = timeline;
        nextReceive = -1;
        return start;
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
            while (running) {
                long durable = confirmed.get();
                if (durable > 0 && durable != lastConfirmed) {
                    s.confirm(durable);
                    lastConfirmed = durable;
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
                            queueFull = true;
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

    // ---- shipping ----

    private void shipLoop() {
        int failures = 0;
        while (running) {
            try {
                Optional<SegmentQueue.Segment> next = queue.peek(Duration.ofMillis(250));
                reportLag();
                if (next.isEmpty()) {
                    continue;
                }
                SegmentQueue.Segment segment = next.get();
                Target target = main.get().orElseThrow(() -> new IOException("the cluster has no main storage"));
                storeHistory(target, segment.timeline());
                WalArchived archived = store(target, segment);
                listener.archived(archived, Duration.between(segment.receivedAt(), Instant.now()));
                lastSegment = segment.name();
                lastStorage = target.name();
                queue.remove(segment);
                Files.deleteIfExists(segment.file());
                synchronized (confirmed) {
                    confirmed.set(segment.end());
                    confirmed.notifyAll();
                }
                failures = 0;
                lastError = null;
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!running) {
                    return;
                }
                failures++;
                lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                Duration wait = backoff(failures);
                LOG.warnf("cluster %s: could not store WAL (%s); attempt %d, again in %s", cluster, lastError,
                        failures, wait);
                long until = System.nanoTime() + wait.toNanos();
                while (running && System.nanoTime() < until) {
                    reportLag();
                    if (await(Duration.ofMillis(Math.min(1000, Math.max(1, (until - System.nanoTime()) / 1_000_000))))) {
                        return;
                    }
                }
            }
        }
    }

    private Duration backoff(int failures) {
        long millis = 500L << Math.min(failures - 1, 16);
        return Duration.ofMillis(Math.min(millis, settings.maxBackoff().toMillis()));
    }

    private WalArchived store(Target target, SegmentQueue.Segment segment) throws IOException {
        MessageDigest sha = sha256();
        long stored;
        try (InputStream in = Files.newInputStream(segment.file());
             ObjectUpload upload = target.storage().upload(StorageLayout.walSegment(segment.name()))) {
            try (ZstdOutputStream zstd = new ZstdOutputStream(new KeepOpen(upload), settings.zstdLevel())) {
                byte[] buffer = new byte[COPY_BUFFER];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                    zstd.write(buffer, 0, n);
                }
            }
            stored = upload.bytesWritten();
            upload.complete();
        }
        return new WalArchived(cluster, target.name(), StorageLayout.timelineHex(segment.timeline()), segment.name(),
                segment.sizeBytes(), HexFormat.of().formatHex(sha.digest()), stored,
                OffsetDateTime.ofInstant(segment.receivedAt(), ZoneOffset.UTC));
    }

    /** A timeline after the first needs its history file beside its segments, on every main it is archived to. */
    private void storeHistory(Target target, long timeline) throws IOException {
        HistoryFile h = history;
        String mark = target.name() + "/" + timeline;
        if (h == null || h.timeline() != timeline || historyStoredOn.contains(mark)) {
            return;
        }
        target.storage().writeSmall(StorageLayout.timelineHistory(timeline), h.content());
        listener.archived(new WalArchived(cluster, target.name(), StorageLayout.timelineHex(timeline),
                WalSegments.historyFileName(timeline), h.content().length,
                HexFormat.of().formatHex(sha256().digest(h.content())), (long) h.content().length,
                OffsetDateTime.now(ZoneOffset.UTC)), Duration.ZERO);
        historyStoredOn.add(mark);
    }

    private void reportLag() {
        SegmentQueue.Snapshot snap = queue.snapshot();
        Instant now = Instant.now();
        Instant failing = receiveFailingSince;
        boolean full = queueFull;
        Optional<LagReport> next = LagReport.next(new LagReport.Observed(snap.segments(), snap.oldestWait(now), full,
                Optional.ofNullable(failing).map(f -> Duration.between(f, now))), settings.lagAlert(), lastLag);
        if (next.isEmpty()) {
            return;
        }
        lastLag = next;
        LagReport report = next.get();
        String storage;
        try {
            storage = main.get().map(Target::name).orElse("none");
        } catch (RuntimeException e) {
            storage = "none"; // the main cannot be opened: the lag report still goes out
        }
        String error = lastError != null ? lastError : receiveError;
        WalLag lag = new WalLag(cluster, storage, report.state(), snap.segments(), snap.bytes(), snap.limitBytes(),
                snap.oldest().map(SegmentQueue.Segment::name).orElse(null), report.waitingSeconds(), full, error);
        LOG.warnf("cluster %s: WAL archiving %s (%d segments, %d MiB waiting, oldest for %d s%s)", cluster,
                report.lagging() ? "is lagging" : "caught up", lag.queuedSegments(), lag.queuedBytes() >> 20,
                lag.waitingSeconds(), error == null ? "" : "; last error: " + error);
        try {
            listener.lag(lag);
        } catch (RuntimeException e) {
            LOG.warnf("cluster %s: could not publish the lag report: %s", cluster, e.getMessage());
        }
    }

    /** Waits unless stopped; true when stopped. */
    private boolean await(Duration wait) {
        try {
            return stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return true;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lets the zstd stream end its frame without completing or aborting the upload underneath. */
    private static final class KeepOpen extends FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
