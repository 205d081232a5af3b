package io.stowage.resync.service;

import io.stowage.events.Envelope;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.data.ResyncEvent;
import io.stowage.events.data.WalArchived;
import io.stowage.resync.catalog.Catalog;
import io.stowage.resync.catalog.CatalogUpdates;
import io.stowage.resync.catalog.WalRanges;
import io.stowage.resync.scan.CatalogDiff;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The catalog's single writer: every change goes through one thread, so changes never interleave. While a storage is
 * being resynced, the facts reported for it (backups completed, segments archived) wait, and are applied on top of
 * the resync's result: the scan's listing may predate them, and the result must not undo them.
 */
public final class CatalogKeeper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CatalogKeeper.class);
    private final Catalog catalog;
    private final CatalogWrites writes;
    private final Holding holding;
    /** The epoch each running resync began under: its result is written under that epoch only. */
    private final Map<String, Long> resyncEpochs = new HashMap<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "catalog-writer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, List<Runnable>> heldDuringResync = new HashMap<>();
    /** Removals made while a resync of their storage ran: its scan may predate them, so its result is cut too. */
    private final Map<String, List<Consumer<Map<String, CatalogEvent>>>> removedDuringResync = new HashMap<>();

    /** WAL removed from a storage: a run of segments of one timeline, both ends included. */
    public record WalCut(String timeline, String first, String last) {
    }

    /** Which clusters this instance holds, and since when (see ClusterHolding). */
    public interface Holding {
        /** One instance alone (tests of the logic): every cluster, always under the same epoch. */
        Holding ALL = new Holding() {
            @Override
            public boolean holds(String cluster) {
                return true;
            }

            @Override
            public long epoch(String cluster) {
                return 0;
            }
        };

        boolean holds(String cluster);

        /** The epoch under which the cluster is held now, -1 when it is not: a new one each time it comes here. */
        long epoch(String cluster);
    }

    public CatalogKeeper(Catalog catalog, CatalogWrites writes) {
        this(catalog, writes, Holding.ALL);
    }

    /**
     * @param holding which clusters this instance holds now (their partition is assigned here): a change for a
     *                cluster it does not hold is not written ({@link ClusterMoved})
     */
    public CatalogKeeper(Catalog catalog, CatalogWrites writes, Holding holding) {
        this.catalog = catalog;
        this.writes = writes;
        this.holding = holding;
    }

    /**
     * Waits until the change being written, if any, is committed: after a partition is revoked, so the instance that
     * takes it over reads that change before it handles anything.
     */
    public void flush() {
        run(() -> { });
    }

    /** @throws ClusterMoved when this instance does not hold the cluster now */
    public void requireHeld(String cluster) {
        if (!holding.holds(cluster)) {
            throw new ClusterMoved(cluster);
        }
    }

    /** A fact about a cluster that moved away is dropped, unsettled: its new holder handles it again. */
    private boolean dropIfMoved(String cluster, Envelope<?> cause) {
        if (holding.holds(cluster)) {
            return false;
        }
        LOG.infof("[%s] %s: %s, which handles it again", cause.correlationId(), cause.type().type(),
                new ClusterMoved(cluster).getMessage());
        return true;
    }

    public Catalog catalog() {
        return catalog;
    }

    static String storageKey(String cluster, String storage) {
        return cluster + " " + storage;
    }

    /**
     * Lists a completed backup on each storage whose manifest bore it out (see CompletedBackupCheck); {@code applied}
     * runs once every entry is written (at once, or after the resync its storage is in): until then the fact lives
     * in memory only, and its record must not be committed.
     */
    public void completed(Envelope<?> cause, List<CatalogBackup> checked, Runnable applied) {
        Runnable written = Countdown.after(checked.size(), applied);
        run(() -> {
            if (checked.isEmpty()) {
                applied.run();
            }
            checked.forEach(entry -> applyOrHold(entry.cluster(), entry.storage(), () -> {
                if (dropIfMoved(entry.cluster(), cause)) {
                    return;
                }
                write(cause, List.of(entry));
                written.run();
            }));
        });
    }

    /**
     * Adds an archived segment (or history file) to its storage's WAL coverage; {@code applied} runs once it is
     * written.
     */
    public void archived(Envelope<?> cause, WalArchived a, Runnable applied) {
        run(() -> applyOrHold(a.cluster(), a.storage(), () -> {
            if (dropIfMoved(a.cluster(), cause)) {
                return;
            }
            CatalogUpdates.archived(catalog.wal(a.cluster(), a.storage(), a.timeline()), a)
                    .ifPresent(w -> write(cause, List.of(w)));
            applied.run();
        }));
    }

    /**
     * Marks backups about to be removed {@code EXPIRING}, at once, even while their storage is resynced: from now on
     * none is offered for restore, and an interrupted removal is known for one.
     */
    public void markExpiring(Envelope<?> cause, List<CatalogBackup> expiring) {
        if (!expiring.isEmpty()) {
            run(() -> {
                expiring.forEach(b -> requireHeld(b.cluster()));
                write(cause, expiring);
            });
        }
    }

    /**
     * Takes removed backups and WAL out of one storage's catalog, with the events that say so, in one transaction.
     * WAL entries are cut as they are now, so segments archived meanwhile stay listed; a resync of the storage that
     * runs meanwhile has its result cut the same way.
     */
    public void removed(Envelope<?> cause, String cluster, String storage, Collection<String> backupIds,
                        List<WalCut> wal, List<Envelope<?>> events) {
        run(() -> {
            requireHeld(cluster);
            Consumer<Map<String, CatalogEvent>> cut = entries -> {
                backupIds.forEach(id -> entries.remove(CatalogBackup.key(cluster, storage, id)));
                for (WalCut c : wal) {
                    entries.computeIfPresent(CatalogWal.key(cluster, storage, c.timeline()),
                            (key, entry) -> entry instanceof CatalogWal w ? cut(w, c) : entry);
                }
            };
            Map<String, CatalogEvent> before = new HashMap<>(catalog.ofStorage(cluster, storage));
            Map<String, CatalogEvent> after = new HashMap<>(before);
            cut.accept(after);
            List<CatalogEvent> upserts = new ArrayList<>();
            List<String> tombstones = new ArrayList<>();
            before.forEach((key, entry) -> {
                CatalogEvent now = after.get(key);
                if (now == null || now instanceof CatalogWal w && w.ranges().isEmpty() && !w.historyFile()) {
                    tombstones.add(key);
                } else if (!now.equals(entry)) {
                    upserts.add(now);
                }
            });
            remember(writes.commit(upserts, tombstones, events, cause), upserts, tombstones);
            String key = storageKey(cluster, storage);
            if (heldDuringResync.containsKey(key)) {
                removedDuringResync.computeIfAbsent(key, k -> new ArrayList<>()).add(cut);
            }
        });
    }

    private static CatalogWal cut(CatalogWal w, WalCut c) {
        WalRanges.Cut left = WalRanges.without(w.ranges(), c.first(), c.last());
        return new CatalogWal(w.cluster(), w.storage(), w.timeline(), left.ranges(),
                Math.max(0, w.segments() - left.removed()), w.historyFile());
    }

    /** From now until {@link #endResync}, facts about this storage wait. */
    public void beginResync(String cluster, String storage) {
        run(() -> {
            heldDuringResync.putIfAbsent(storageKey(cluster, storage), new ArrayList<>());
            resyncEpochs.put(storageKey(cluster, storage), holding.epoch(cluster));
        });
    }

    /**
     * Applies a resync's result: the difference between the scan and the catalog as it is now, with the outcome
     * events made from it (in the same transaction); then the facts that waited. Returns the diff applied.
     */
    public CatalogDiff endResync(String cluster, String storage, Map<String, CatalogEvent> scanned,
                                 Function<CatalogDiff, List<Envelope<? extends ResyncEvent>>> outcomes,
                                 Envelope<?> cause) {
        return call(() -> {
            try {
                requireHeld(cluster);
                Long began = resyncEpochs.get(storageKey(cluster, storage));
                if (began != null && began != holding.epoch(cluster)) {
                    // Gone and back while the scan ran: the catalog may hold newer facts than the diff knows.
                    throw new ClusterMoved(cluster);
                }
                Map<String, CatalogEvent> found = scanned;
                List<Consumer<Map<String, CatalogEvent>>> cuts = removedDuringResync.remove(storageKey(cluster, storage));
                if (cuts != null) {
                    found = new HashMap<>(scanned);
                    for (Consumer<Map<String, CatalogEvent>> cut : cuts) {
                        cut.accept(found);
                    }
                }
                CatalogDiff diff = CatalogDiff.between(catalog.ofStorage(cluster, storage), found);
                remember(writes.apply(diff, outcomes.apply(diff), cause), diff.upserts(), diff.tombstones());
                return diff;
            } finally {
                releaseHeld(cluster, storage);
            }
        });
    }

    /** Publishes outcome events that change nothing in the catalog (a request refused before any scan). */
    /** Publishes events that change nothing in the catalog, of any topic, in one transaction. */
    public void publish(List<? extends Envelope<?>> events) {
        run(() -> writes.publish(events));
    }

    /** Ends a resync that failed: its outcome events, then the facts that waited. */
    public void failResync(String cluster, String storage, List<Envelope<? extends ResyncEvent>> outcomes) {
        run(() -> {
            try {
                requireHeld(cluster);
                writes.publish(outcomes);
            } finally {
                releaseHeld(cluster, storage);
            }
        });
    }

    private void releaseHeld(String cluster, String storage) {
        removedDuringResync.remove(storageKey(cluster, storage));
        resyncEpochs.remove(storageKey(cluster, storage));
        List<Runnable> held = heldDuringResync.remove(storageKey(cluster, storage));
        if (held != null) {
            held.forEach(Runnable::run);
        }
    }

    private void applyOrHold(String cluster, String storage, Runnable change) {
        List<Runnable> held = heldDuringResync.get(storageKey(cluster, storage));
        if (held != null) {
            held.add(change);
        } else {
            change.run();
        }
    }

    private void write(Envelope<?> cause, List<? extends CatalogEvent> entries) {
        remember(writes.upsert(cause, entries), entries, List.of());
    }

    /** What was just committed, in memory at once: by its offsets when the writes tell them. */
    private void remember(Map<String, CatalogWrites.Landed> landed, Collection<? extends CatalogEvent> upserts,
                          Collection<String> tombstones) {
        for (CatalogEvent entry : upserts) {
            CatalogWrites.Landed at = landed.get(entry.entryKey());
            if (at == null) {
                catalog.put(entry);
            } else {
                catalog.wrote(at.partition(), at.offset(), entry.entryKey(), entry);
            }
        }
        for (String key : tombstones) {
            CatalogWrites.Landed at = landed.get(key);
            if (at == null) {
                catalog.remove(key);
            } else {
                catalog.wrote(at.partition(), at.offset(), key, null);
            }
        }
    }


    private void run(Runnable r) {
        call(() -> {
            r.run();
            return null;
        });
    }

    private <T> T call(Callable<T> c) {
        try {
            return writer.submit(c).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the catalog", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
