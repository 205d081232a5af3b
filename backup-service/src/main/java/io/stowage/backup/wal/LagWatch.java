package io.stowage.backup.wal;

import io.stowage.events.data.WalLag;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Publishes the cluster's {@code wal.lag.v1} reports: looks at the queue and the receiver, lets {@link LagReport}
 * decide, and remembers the last report (whether archiving lags, for the status).
 */
final class LagWatch {
    private static final Logger LOG = Logger.getLogger(LagWatch.class);

    private final String cluster;
    private final Duration lagAlert;
    private final SegmentQueue queue;
    private final Supplier<WalReceiver.Health> receiving;
    private final Supplier<Optional<ClusterArchiver.Target>> main;
    private final ClusterArchiver.Listener listener;
    // Written by the shipper thread only, read by the status.
    private volatile Optional<LagReport> last = Optional.empty();
    /** The store error the last report carried: a lag whose cause appears or changes is reported again. */
    private String reportedError;

    LagWatch(String cluster, Duration lagAlert, SegmentQueue queue, Supplier<WalReceiver.Health> receiving,
             Supplier<Optional<ClusterArchiver.Target>> main, ClusterArchiver.Listener listener) {
        this.cluster = cluster;
        this.lagAlert = lagAlert;
        this.queue = queue;
        this.receiving = receiving;
        this.main = main;
        this.listener = listener;
    }

    /** True when the last report said LAGGING. */
    boolean lagging() {
        return last.map(LagReport::lagging).orElse(false);
    }

    /** Reports when the lag changed; {@code storeError} is the shipper's last failure, if its last store failed. */
    void check(String storeError) {
        SegmentQueue.Snapshot snap = queue.snapshot();
        Instant now = Instant.now();
        WalReceiver.Health health = receiving.get();
        Optional<LagReport> next = LagReport.next(new LagReport.Observed(snap.segments(), snap.oldestWait(now),
                health.queueFull(), health.failingFor(now)), lagAlert, last);
        if (next.isEmpty() && lagging() && storeError != null && !storeError.equals(reportedError)) {
            // Lagging already, and now the storage refuses with a reason (or another one): operators learn why.
            next = last;
        }
        if (next.isEmpty()) {
            return;
        }
        last = next;
        LagReport report = next.get();
        String storage;
        try {
            storage = main.get().map(ClusterArchiver.Target::name).orElse("none");
        } catch (RuntimeException e) {
            storage = "none"; // the main cannot be opened: the lag report still goes out
        }
        String error = storeError != null ? storeError : health.error();
        reportedError = storeError;
        WalLag lag = new WalLag(cluster, storage, report.state(), snap.segments(), snap.bytes(), snap.limitBytes(),
                snap.oldest().map(SegmentQueue.Segment::name).orElse(null), report.waitingSeconds(),
                report.queueFull(), error);
        LOG.warnf("cluster %s: WAL archiving %s (%d segments, %d MiB waiting, oldest for %d s%s)", cluster,
                report.lagging() ? "is lagging" : "caught up", lag.queuedSegments(), lag.queuedBytes() >> 20,
                lag.waitingSeconds(), error == null ? "" : "; last error: " + error);
        try {
            listener.lag(lag);
        } catch (RuntimeException e) {
            LOG.warnf("cluster %s: could not publish the lag report: %s", cluster, e.getMessage());
        }
    }
}
