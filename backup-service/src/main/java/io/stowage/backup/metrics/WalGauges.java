package io.stowage.backup.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.stowage.backup.wal.ClusterArchiver;
import io.stowage.backup.wal.WalArchivers;
import org.jboss.logging.Logger;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Per-cluster WAL queue and lag gauges: registered when a cluster's archiver first runs here (looked for every
 * second once started); 0 once it stops.
 */
public final class WalGauges implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WalGauges.class);
    private static final Map<String, Function<ClusterArchiver.Status, Number>> MEASURES = Map.of(
            "stowage.wal.queue.segments", ClusterArchiver.Status::queuedSegments,
            "stowage.wal.queue.bytes", ClusterArchiver.Status::queuedBytes,
            "stowage.wal.lag.seconds", s -> s.oldestWait().toMillis() / 1000.0,
            "stowage.wal.lagging", s -> s.lagging() ? 1 : 0);

    private final WalArchivers archivers;
    private final MeterRegistry metrics;
    private final Set<String> registered = new HashSet<>();
    private ScheduledExecutorService looking;

    public WalGauges(WalArchivers archivers, MeterRegistry metrics) {
        this.archivers = archivers;
        this.metrics = metrics;
    }

    public synchronized WalGauges start() {
        looking = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wal-gauges");
            t.setDaemon(true);
            return t;
        });
        looking.scheduleWithFixedDelay(this::registerNew, 0, 1, TimeUnit.SECONDS);
        Gauge.builder("stowage.wal.pauses.lapsed", archivers, WalArchivers::lapsedPauses)
                .description("Restores' pauses of archiving that lapsed: nothing heard of the restore for the lease")
                .strongReference(true).register(metrics);
        return this;
    }

    private void registerNew() {
        try {
            for (String cluster : archivers.running().keySet()) {
                if (registered.add(cluster)) {
                    MEASURES.forEach((name, measure) -> Gauge.builder(name, archivers, a -> {
                                ClusterArchiver archiver = a.running().get(cluster);
                                return archiver == null ? 0 : measure.apply(archiver.status()).doubleValue();
                            }).tag("cluster", cluster).strongReference(true).register(metrics));
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not register WAL gauges: %s", e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (looking != null) {
            looking.shutdownNow();
        }
    }
}
