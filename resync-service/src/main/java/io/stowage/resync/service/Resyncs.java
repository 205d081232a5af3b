package io.stowage.resync.service;

import io.stowage.bus.TopologyCatchUp;
import io.stowage.events.Envelope;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.ResyncCompleted;
import io.stowage.events.data.ResyncEvent;
import io.stowage.events.data.ResyncFailed;
import io.stowage.events.data.TopologyApplied;
import io.stowage.resync.scan.StorageScan;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.StorageException;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Runs resyncs of single storages on a few worker threads. Requests for a storage that arrive while it is being
 * resynced are coalesced into one more run after it (its listing may predate them); every request is answered with
 * {@code resync.completed.v1} or {@code resync.failed.v1}, caused by it.
 */
public final class Resyncs implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Resyncs.class);

    /** Opens a storage of a cluster as the applied topology describes it. */
    @FunctionalInterface
    public interface StorageSource {
        BackupStorage open(TopologyApplied topology, String storage) throws Exception;
    }

    private final CatalogKeeper keeper;
    private final Function<String, Optional<TopologyApplied>> topologies;
    private final TopologyCatchUp catchUp;
    private final StorageSource storages;
    private final String source;
    private final StorageScan scan = new StorageScan();
    private final ExecutorService workers;
    private final Set<String> running = new HashSet<>();
    private final Map<String, List<Ask>> waiting = new HashMap<>();

    /** One request for a resync: what caused it, and what to do once its outcome is on the bus. */
    private record Ask(Envelope<?> cause, Runnable answered) {
    }
    private final MeterRegistry metrics;

    public Resyncs(CatalogKeeper keeper, Function<String, Optional<TopologyApplied>> topologies,
                   TopologyCatchUp catchUp, StorageSource storages, String source, int workers,
                   MeterRegistry metrics) {
        this.metrics = metrics;
        this.keeper = keeper;
        this.topologies = topologies;
        this.catchUp = catchUp;
        this.storages = storages;
        this.source = source;
        this.workers = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "resync");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Asks for a resync of one storage, answered later (the caller does not wait); {@code answered} runs once its
     * outcome is published (never when it could not be: the request is then left to be delivered again).
     */
    public void request(String cluster, String storage, Envelope<?> cause, Runnable answered) {
        String key = CatalogKeeper.storageKey(cluster, storage);
        Ask ask = new Ask(cause, answered);
        synchronized (this) {
            if (running.contains(key)) {
                waiting.computeIfAbsent(key, k -> new ArrayList<>()).add(ask);
                LOG.infof("[%s] resync of %s/%s coalesced with the next run", cause.correlationId(), cluster, storage);
                return;
            }
            running.add(key);
        }
        workers.submit(() -> runFor(cluster, storage, List.of(ask)));
    }

    private void runFor(String cluster, String storage, List<Ask> asks) {
        List<Ask> next = asks;
        while (next != null) {
            List<Envelope<?>> causes = next.stream().<Envelope<?>>map(Ask::cause).toList();
            boolean published = false;
            try {
                resync(cluster, storage, causes);
                published = true;
            } catch (ClusterMoved moved) {
                // Its requests are delivered again to the instance that holds the cluster now, which answers them.
                LOG.infof("[%s] resync of %s/%s not written: %s", causes.get(0).correlationId(), cluster, storage,
                        moved.getMessage());
            } catch (Throwable e) {
                // Out of memory, a bug, the broker away: never a silent death that leaves the storage resyncing.
                LOG.errorf(e, "resync of %s/%s failed unexpectedly", cluster, storage);
                try {
                    keeper.failResync(cluster, storage, outcomes(causes, new ResyncFailed(cluster, storage,
                            "resync-service failed unexpectedly: " + e)));
                    published = true;
                } catch (RuntimeException again) {
                    LOG.errorf(again, "could not report the failed resync of %s/%s; its requests are left to be "
                            + "delivered again", cluster, storage);
                }
            }
            if (published) {
                next.forEach(a -> a.answered().run());
            }
            String key = CatalogKeeper.storageKey(cluster, storage);
            synchronized (this) {
                next = waiting.remove(key);
                if (next == null) {
                    running.remove(key);
                }
            }
        }
    }

    private static boolean names(Optional<TopologyApplied> topology, String storage) {
        return topology.isPresent() && topology.get().spec().storages().containsKey(storage);
    }


    private void resync(String cluster, String storage, List<Envelope<?>> causes) {
        long began = System.nanoTime();
        String tag = "[" + causes.get(0).correlationId() + "] resync of " + cluster + "/" + storage;
        Optional<TopologyApplied> topology = topologies.apply(cluster);
        if (!names(topology, storage) && catchUp.caughtUp()) {
            // A request can name a storage added a moment ago (a restore's backupSource): the topology this
            // service follows may not hold it yet.
            topology = topologies.apply(cluster);
        }
        if (!names(topology, storage)) {
            String reason = topology.isEmpty() ? "cluster " + cluster + " is not in the applied topology"
                    : "cluster " + cluster + " has no storage " + storage;
            LOG.warnf("%s refused: %s", tag, reason);
            keeper.publish(outcomes(causes, new ResyncFailed(cluster, storage, reason)));
            return;
        }
        keeper.beginResync(cluster, storage);
        StorageScan.Result result;
        try (BackupStorage opened = storages.open(topology.get(), storage)) {
            result = scan.scan(cluster, opened);
            if (result.prefixMissing()) {
                refuseToForget(opened, keeper.catalog().ofStorage(cluster, storage));
            }
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.errorf("%s failed: %s", tag, reason);
            metrics.counter("stowage.resync.failed", "cluster", cluster, "storage", storage).increment();
            keeper.failResync(cluster, storage, outcomes(causes, new ResyncFailed(cluster, storage, reason)));
            return;
        }
        result.problems().forEach(p -> LOG.warnf("%s: %s", tag, p));
        long durationMs = (System.nanoTime() - began) / 1_000_000;
        var diff = keeper.endResync(cluster, storage, result.entries(), d -> outcomes(causes, new ResyncCompleted(
                cluster, storage, result.backups(), d.added(), d.removed(), result.incomplete(),
                (System.nanoTime() - began) / 1_000_000)), causes.get(0));
        metrics.timer("stowage.resync.duration", "cluster", cluster, "storage", storage)
                .record(System.nanoTime() - began, java.util.concurrent.TimeUnit.NANOSECONDS);
        LOG.infof("%s: %d backups (%d incomplete), %d WAL segments; %d entries written, %d removed; %d ms", tag,
                result.backups(), result.incomplete(), result.walSegments(), diff.upserts().size(),
                diff.tombstones().size(), durationMs);
    }

    /**
     * A storage whose folder is missing while the catalog lists files there is far more likely unmounted than
     * emptied: the resync fails rather than tombstone the lot. Facts about the storage wait meanwhile, so the catalog
     * read here is the one the diff would be made against.
     */
    private static void refuseToForget(BackupStorage storage, Map<String, CatalogEvent> listed) throws StorageException {
        if (listed.isEmpty()) {
            return;
        }
        long backups = listed.values().stream().filter(e -> e instanceof CatalogBackup).count();
        long timelines = listed.size() - backups;
        throw new StorageException(storage.describe() + ": the folder does not exist, yet the catalog lists "
                + backups + (backups == 1 ? " backup" : " backups") + " and " + timelines
                + (timelines == 1 ? " WAL timeline" : " WAL timelines") + " there. Is its volume mounted? The catalog is left"
                + " as it was; if the files are really gone, create the folder, empty, and resync again");
    }

    private List<Envelope<? extends ResyncEvent>> outcomes(List<Envelope<?>> causes, ResyncEvent outcome) {
        List<Envelope<? extends ResyncEvent>> out = new ArrayList<>();
        for (Envelope<?> cause : causes) {
            out.add(Envelope.causedBy(cause, source, outcome));
        }
        return out;
    }


    @Override
    public void close() {
        workers.shutdownNow();
    }
}
