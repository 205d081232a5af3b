package io.stowage.backup.wal;

import io.stowage.events.data.WalArchived;
import io.stowage.events.data.WalLag;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.postgres.ArchiveSlot;
import io.stowage.storage.BackupStorage;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Continuous WAL archiving of one cluster: a {@link WalReceiver} thread streams WAL through the cluster's replication
 * slot into complete segment files in a local spool folder; a {@link WalShipper} thread compresses each segment,
 * checksums it and stores it on the CURRENT main storage, records it ({@code wal.archived.v1}), and only then lets the
 * slot advance past it ({@link DurableWal}). So whatever happens to this process, PostgreSQL keeps every segment until
 * it is durable on a storage, and a segment archived twice is archived with the same content. This class starts,
 * pauses and stops the two; {@link LagWatch} reports the lag, {@link SlotHandover} leaves the slot to the next archiver.
 */
public final class ClusterArchiver {
    private static final Logger LOG = Logger.getLogger(ClusterArchiver.class);

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

    private final String cluster;
    private final PostgresSpec postgres;
    private final Path spool;
    private final SegmentQueue queue;
    private final StopSignal stop = new StopSignal();
    private final WalReceiver receiver;
    private final LagWatch lag;
    private final SlotHandover handover;
    private final Thread receiving;
    private final Thread shipping;

    public ClusterArchiver(String cluster, PostgresSpec postgres, String password, Settings settings,
                           Supplier<Optional<Target>> main, Listener listener) {
        this.cluster = cluster;
        this.postgres = postgres;
        Primary primary = new Primary(cluster, postgres, password, slotName(cluster));
        this.spool = settings.spoolFolder().resolve(primary.slot());
        this.queue = new SegmentQueue(settings.queueLimitBytes());
        DurableWal durable = new DurableWal();
        TimelineHistory history = new TimelineHistory(cluster, listener);
        this.receiver = new WalReceiver(primary, spool, settings, queue, durable, history, stop);
        this.lag = new LagWatch(cluster, settings.lagAlert(), queue, receiver::health, main, listener);
        this.handover = new SlotHandover(primary, durable);
        WalShipper shipper = new WalShipper(cluster, settings, main, listener, queue, durable, history, lag, stop);
        this.receiving = new Thread(receiver, "wal-receive-" + cluster);
        this.shipping = new Thread(shipper, "wal-ship-" + cluster);
        receiving.setDaemon(true);
        shipping.setDaemon(true);
    }

    /**
     * The cluster's replication slot: {@code stowage_<cluster>} when the id is a valid slot name already, otherwise
     * its letters and digits plus a hash of the id (slot names are lower case, digits and underscores, 63 at most).
     */
    public static String slotName(String cluster) {
        return ArchiveSlot.name(cluster);
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
        stop.start();
        receiving.start();
        shipping.start();
        return this;
    }

    /** Waits until WAL streams; returns where it started (segment name), or empty on timeout. */
    public Optional<String> awaitStreaming(Duration timeout) throws InterruptedException {
        return receiver.awaitStreaming(timeout);
    }

    /**
     * Archives everything PostgreSQL has written so far (it ends the current segment first), then stops: the first
     * step of a restore. When PostgreSQL does not answer, archives what it already has.
     */
    public PauseResult pause(Duration timeout) throws InterruptedException {
        return handover.pause(timeout, this::stop);
    }

    /** Stops both threads; what was not stored stays in PostgreSQL, held by the slot, for whoever archives next. */
    public void stop() {
        stop.stop();
        receiver.abort();
        shipping.interrupt();
        try {
            receiving.join(10_000);
            shipping.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.clear();
        handover.advanceSlot();
        try {
            clearSpool();
        } catch (IOException e) {
            LOG.warnf("cluster %s: could not empty the WAL spool %s: %s", cluster, spool, e.getMessage());
        }
    }

    public Status status() {
        SegmentQueue.Snapshot snap = queue.snapshot();
        return new Status(snap.segments(), snap.bytes(), snap.oldestWait(Instant.now()), lag.lagging());
    }

    private void clearSpool() throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
        }
    }
}
