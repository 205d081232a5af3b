package io.stowage.backup.wal;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import io.stowage.events.data.WalArchived;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.StorageLayout;
import org.jboss.logging.Logger;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The shipper thread's work: takes each queued segment in WAL order, compresses and checksums it onto the CURRENT
 * main storage, reports it ({@code wal.archived.v1}), and only then marks it durable. A failure is retried with a
 * growing backoff, the lag checked meanwhile.
 */
final class WalShipper implements Runnable {
    private static final Logger LOG = Logger.getLogger(WalShipper.class);
    private static final int COPY_BUFFER = 256 * 1024;

    private final String cluster;
    private final ClusterArchiver.Settings settings;
    private final Supplier<Optional<ClusterArchiver.Target>> main;
    private final ClusterArchiver.Listener listener;
    private final SegmentQueue queue;
    private final DurableWal durable;
    private final TimelineHistory history;
    private final LagWatch lag;
    private final StopSignal stop;

    WalShipper(String cluster, ClusterArchiver.Settings settings, Supplier<Optional<ClusterArchiver.Target>> main,
               ClusterArchiver.Listener listener, SegmentQueue queue, DurableWal durable, TimelineHistory history,
               LagWatch lag, StopSignal stop) {
        this.cluster = cluster;
        this.settings = settings;
        this.main = main;
        this.listener = listener;
        this.queue = queue;
        this.durable = durable;
        this.history = history;
        this.lag = lag;
        this.stop = stop;
    }

    @Override
    public void run() {
        int failures = 0;
        String lastError = null;
        while (stop.running()) {
            try {
                Optional<SegmentQueue.Segment> next = queue.peek(Duration.ofMillis(250));
                lag.check(lastError);
                if (next.isEmpty()) {
                    continue;
                }
                SegmentQueue.Segment segment = next.get();
                ClusterArchiver.Target target = main.get()
                        .orElseThrow(() -> new IOException("the cluster has no main storage"));
                history.storeOn(target, segment.timeline());
                WalArchived archived = store(target, segment);
                listener.archived(archived, Duration.between(segment.receivedAt(), Instant.now()));
                durable.stored(segment.name(), target.name());
                queue.remove(segment);
                Files.deleteIfExists(segment.file());
                durable.durableUpTo(segment.end());
                failures = 0;
                lastError = null;
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!stop.running()) {
                    return;
                }
                failures++;
                lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                Duration wait = backoff(failures);
                LOG.warnf("cluster %s: could not store WAL (%s); attempt %d, again in %s", cluster, lastError,
                        failures, wait);
                long until = System.nanoTime() + wait.toNanos();
                while (stop.running() && System.nanoTime() < until) {
                    lag.check(lastError);
                    if (stop.await(Duration.ofMillis(
                            Math.min(1000, Math.max(1, (until - System.nanoTime()) / 1_000_000))))) {
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

    private WalArchived store(ClusterArchiver.Target target, SegmentQueue.Segment segment) throws IOException {
        String key = StorageLayout.walSegment(segment.name());
        Optional<ObjectInfo> existing = target.storage().stat(key);
        if (existing.isPresent()) {
            return alreadyStored(target, segment, key, existing.get());
        }
        MessageDigest sha = sha256();
        long stored;
        try (InputStream in = Files.newInputStream(segment.file());
             ObjectUpload upload = target.storage().upload(key)) {
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

    /**
     * A segment already on the storage (stored before a crash, or by the instance that archived the cluster before):
     * the same content is reported as stored; a different one is never replaced. It is another server's segment of
     * the same name (two restores promoted to the same timeline id): this one waits, lagging, with the reason.
     */
    private WalArchived alreadyStored(ClusterArchiver.Target target, SegmentQueue.Segment segment, String key,
                                      ObjectInfo existing) throws IOException {
        String local = sha256Of(Files.newInputStream(segment.file()));
        String stored = sha256Of(new ZstdInputStream(target.storage().download(key)));
        if (!local.equals(stored)) {
            throw new IOException("segment " + segment.name() + " on " + target.storage().describe() + " differs "
                    + "from the one PostgreSQL wrote (SHA-256 " + stored.substring(0, 12) + " there, "
                    + local.substring(0, 12) + " here): it is not replaced; did two servers promote to timeline "
                    + segment.timeline() + "?");
        }
        LOG.infof("cluster %s: segment %s was on %s already, the same", cluster, segment.name(),
                target.storage().describe());
        return new WalArchived(cluster, target.name(), StorageLayout.timelineHex(segment.timeline()), segment.name(),
                segment.sizeBytes(), local, existing.size(),
                OffsetDateTime.ofInstant(segment.receivedAt(), ZoneOffset.UTC));
    }

    private static String sha256Of(InputStream opened) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = opened) {
            byte[] buffer = new byte[COPY_BUFFER];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static MessageDigest sha256() {
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
