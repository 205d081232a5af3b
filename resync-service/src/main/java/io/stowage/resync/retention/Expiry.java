package io.stowage.resync.retention;

import io.stowage.events.Envelope;
import io.stowage.events.data.BackupDeleteRequested;
import io.stowage.events.data.BackupRemoved;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.data.WalRemoved;
import io.stowage.events.spec.RetentionSpec;
import io.stowage.resync.catalog.WalRanges;
import io.stowage.resync.service.CatalogKeeper;
import io.stowage.resync.service.Resyncs;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.StorageLayout;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Carries out a cluster's retention (see {@link RetentionPlan}) on its storages. For each backup removed: its catalog
 * entry is marked {@code EXPIRING} first (never offered for restore from then on), then its manifest goes, then its
 * other files, and only then is the entry tombstoned, with {@code backup.removed.v1}, in one transaction per
 * storage. An expiry killed anywhere leaves the entry {@code EXPIRING} (or a folder without manifest): the next
 * expiry finishes it. WAL goes after the backups, segment keys made from the catalog's ranges (no listing), and the
 * catalog's WAL entry is cut in the same transaction as {@code wal.removed.v1}. Incomplete backups whose newest file
 * is older than the grace are removed too. Every storage is tried; the first failure is thrown at the end.
 */
public final class Expiry {
    private static final Logger LOG = Logger.getLogger(Expiry.class);

    /** What one expiry did. */
    public record Outcome(int backupsRemoved, int walRangesRemoved, long segmentsRemoved, int heldForRestores) {
        public boolean nothing() {
            return backupsRemoved == 0 && walRangesRemoved == 0 && heldForRestores == 0;
        }
    }

    /** A backup to remove from a storage, and why. */
    private record Doomed(String backupId, String reason) {
    }

    private final CatalogKeeper keeper;
    private final Function<String, Optional<TopologyApplied>> topologies;
    private final Resyncs.StorageSource storages;
    private final RunningRestores restores;
    private final Duration incompleteGrace;
    private final Supplier<Instant> clock;
    private final String source;

    public Expiry(CatalogKeeper keeper, Function<String, Optional<TopologyApplied>> topologies,
                  Resyncs.StorageSource storages, RunningRestores restores, Duration incompleteGrace,
                  Supplier<Instant> clock, String source) {
        this.keeper = keeper;
        this.topologies = topologies;
        this.storages = storages;
        this.restores = restores;
        this.incompleteGrace = incompleteGrace;
        this.clock = clock;
        this.source = source;
    }

    /**
     * Applies the cluster's retention now; {@code cause} is the event that asked (a completed backup, a request), and
     * causes every event published.
     */
    public Outcome apply(String cluster, Envelope<?> cause) throws Exception {
        TopologyApplied topology = topologies.apply(cluster).orElseThrow(
                () -> new IllegalStateException("cluster " + cluster + " is not in the applied topology"));
        Map<String, RetentionSpec> retention = new TreeMap<>();
        topology.spec().storages().forEach((name, spec) -> {
            if (spec.retention() != null) {
                retention.put(name, spec.retention());
            }
        });
        List<CatalogBackup> backups = new ArrayList<>();
        List<CatalogWal> wal = new ArrayList<>();
        for (CatalogEvent e : keeper.catalog().ofCluster(cluster)) {
            if (e instanceof CatalogBackup b) {
                backups.add(b);
            } else if (e instanceof CatalogWal w) {
                wal.add(w);
            }
        }
        Instant now = clock.get();
        RetentionPlan.Decision plan = RetentionPlan.decide(retention, backups, wal, restores.inUse(cluster), now);

        // Per storage: the backups to remove (retention's, and those an interrupted removal left EXPIRING).
        Map<String, Map<String, Doomed>> doomed = new TreeMap<>();
        for (RetentionPlan.BackupRemoval r : plan.backups()) {
            doomed.computeIfAbsent(r.storage(), s -> new LinkedHashMap<>()).put(r.backupId(),
                    new Doomed(r.backupId(), r.reason()));
        }
        List<CatalogBackup> incomplete = new ArrayList<>();
        for (CatalogBackup b : backups) {
            if (CatalogBackup.EXPIRING.equals(b.status())) {
                doomed.computeIfAbsent(b.storage(), s -> new LinkedHashMap<>()).putIfAbsent(b.backupId(),
                        new Doomed(b.backupId(), b.reason() == null ? "an interrupted removal, finished" : b.reason()));
            } else if (CatalogBackup.INCOMPLETE.equals(b.status())) {
                incomplete.add(b);
            }
        }
        Map<String, List<RetentionPlan.WalRemoval>> walByStorage = new TreeMap<>();
        if (!retention.isEmpty()) {
            // With no retention anywhere, nothing is removed: WAL before the oldest backup stays as it always did.
            plan.wal().forEach(w -> walByStorage.computeIfAbsent(w.storage(), s -> new ArrayList<>()).add(w));
        }

        int backupsRemoved = 0;
        int rangesRemoved = 0;
        long segmentsRemoved = 0;
        Exception firstFailure = null;
        for (String storage : new TreeSet<>(topology.spec().storages().keySet())) {
            Map<String, Doomed> here = doomed.getOrDefault(storage, new LinkedHashMap<>());
            List<RetentionPlan.WalRemoval> walHere = walByStorage.getOrDefault(storage, List.of());
            List<CatalogBackup> incompleteHere = incomplete.stream().filter(b -> b.storage().equals(storage)).toList();
            if (here.isEmpty() && walHere.isEmpty() && incompleteHere.isEmpty()) {
                continue;
            }
            try (BackupStorage opened = storages.open(topology, storage)) {
                for (CatalogBackup b : incompleteHere) {
                    abandonedSince(opened, b.backupId(), now).ifPresent(newest -> here.putIfAbsent(b.backupId(),
                            new Doomed(b.backupId(), "incomplete (" + b.reason() + "), nothing written to it since "
                                    + newest + ", more than " + incompleteGrace + " ago")));
                }
                Removed removed = remove(cluster, opened, here, walHere, BackupRemoved.RETENTION, cause);
                backupsRemoved += removed.backups();
                rangesRemoved += removed.ranges();
                segmentsRemoved += removed.segments();
            } catch (Exception e) {
                LOG.errorf("[%s] retention of %s on storage %s failed: %s", cause.correlationId(), cluster, storage,
                        e.getMessage());
                if (firstFailure == null) {
                    firstFailure = e;
                }
            }
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        plan.held().forEach(h -> LOG.infof("[%s] backup %s of %s on %s kept while a running restore uses it (%s)",
                cause.correlationId(), h.backupId(), cluster, h.storage(), h.reason()));
        return new Outcome(backupsRemoved, rangesRemoved, segmentsRemoved, plan.held().size());
    }

    private record Removed(int backups, int ranges, long segments) {
    }

    /** Removes backups, then WAL, from one storage; the catalog follows in one transaction. */
    private Removed remove(String cluster, BackupStorage storage, Map<String, Doomed> doomed,
                           List<RetentionPlan.WalRemoval> wal, String trigger, Envelope<?> cause) throws IOException {
        String name = storage.name();
        List<CatalogBackup> marks = new ArrayList<>();
        // Objects removed per backup: its manifest when it was complete as this removal began (an interrupted one
        // may have taken it already), then what the listing finds.
        Map<String, Long> objects = new HashMap<>();
        for (Doomed d : doomed.values()) {
            keeper.catalog().get(CatalogBackup.key(cluster, name, d.backupId())).ifPresent(e -> {
                if (e instanceof CatalogBackup b && CatalogBackup.COMPLETE.equals(b.status())) {
                    objects.put(b.backupId(), 1L);
                }
                if (e instanceof CatalogBackup b && !CatalogBackup.EXPIRING.equals(b.status())) {
                    marks.add(new CatalogBackup(b.cluster(), b.storage(), b.backupId(), CatalogBackup.EXPIRING,
                            d.reason(), b.startLsn(), b.stopLsn(), b.timeline(), b.startTime(), b.stopTime(),
                            b.sizeBytes(), b.storedBytes(), b.manifestSha256(), b.schedule(), b.late()));
                }
            });
        }
        // Nothing is deleted for a cluster another instance holds now: it applies retention itself.
        keeper.requireHeld(cluster);
        keeper.markExpiring(cause, marks);

        if (!doomed.isEmpty() && storage.prefixExists()) {
            // The manifests first: from the first deletion on, no folder left behind looks complete.
            keeper.requireHeld(cluster);
            storage.deleteAll(doomed.keySet().stream().map(StorageLayout::manifest).iterator());
            try (Stream<ObjectInfo> listing = storage.list(StorageLayout.BACKUPS)) {
                Iterator<String> keys = listing.map(ObjectInfo::key).filter(key -> {
                    Optional<String> id = StorageLayout.backupIdOf(key);
                    if (id.isPresent() && doomed.containsKey(id.get())) {
                        objects.merge(id.get(), 1L, Long::sum);
                        return true;
                    }
                    return false;
                }).iterator();
                storage.deleteAll(keys);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        List<CatalogKeeper.WalCut> cuts = new ArrayList<>();
        long segments = 0;
        for (RetentionPlan.WalRemoval w : wal) {
            keeper.requireHeld(cluster);
            storage.deleteAll(segmentKeys(w.first(), w.last()));
            cuts.add(new CatalogKeeper.WalCut(w.timeline(), w.first(), w.last()));
            segments += WalRanges.number(w.last()) - WalRanges.number(w.first()) + 1;
        }

        List<Envelope<?>> events = new ArrayList<>();
        doomed.values().forEach(d -> events.add(Envelope.causedBy(cause, source, new BackupRemoved(cluster, name,
                d.backupId(), trigger, d.reason(), objects.getOrDefault(d.backupId(), 0L)))));
        wal.forEach(w -> events.add(Envelope.causedBy(cause, source, new WalRemoved(cluster, name, w.timeline(),
                w.first(), w.last(), WalRanges.number(w.last()) - WalRanges.number(w.first()) + 1,
                trigger, w.reason()))));
        keeper.removed(cause, cluster, name, doomed.keySet(), cuts, events);
        doomed.values().forEach(d -> LOG.infof("[%s] backup %s of %s removed from %s: %s", cause.correlationId(),
                d.backupId(), cluster, name, d.reason()));
        wal.forEach(w -> LOG.infof("[%s] WAL %s..%s of %s removed from %s: %s", cause.correlationId(), w.first(),
                w.last(), cluster, name, w.reason()));
        return new Removed(doomed.size(), wal.size(), segments);
    }

    /** Why a delete request removes nothing: the reason, and the storage it is about (null: the request). */
    public static final class Refused extends Exception {
        private final String storage;

        Refused(String storage, String reason) {
            super(reason);
            this.storage = storage;
        }

        public String storage() {
            return storage;
        }
    }

    /**
     * Removes one backup as a delete request asks, from one storage or from every storage whose catalog lists it;
     * returns the storages it was removed from. Refused, before anything is removed, when a running restore uses it,
     * when no storage named lists it, or when it is a storage's only complete backup and {@code force} is not given.
     *
     * @param removedBefore storages an earlier delivery of the same request removed it from already (it was cut
     *                      short): when no other storage lists it, the request is done, with nothing more to say
     */
    public List<String> delete(BackupDeleteRequested r, Envelope<?> cause, Set<String> removedBefore)
            throws Exception {
        TopologyApplied topology = topologies.apply(r.cluster()).orElseThrow(() -> new Refused(null,
                "cluster " + r.cluster() + " is not in the applied topology"));
        if (r.storage() != null && !topology.spec().storages().containsKey(r.storage())) {
            throw new Refused(r.storage(), "cluster " + r.cluster() + " has no storage '" + r.storage() + "'");
        }
        List<CatalogBackup> all = keeper.catalog().ofCluster(r.cluster()).stream()
                .filter(e -> e instanceof CatalogBackup).map(e -> (CatalogBackup) e).toList();
        List<CatalogBackup> copies = all.stream().filter(b -> b.backupId().equals(r.backupId()))
                .filter(b -> r.storage() == null ? topology.spec().storages().containsKey(b.storage())
                        : b.storage().equals(r.storage())).toList();
        if (copies.isEmpty() && !removedBefore.isEmpty()) {
            return List.of();
        }
        if (copies.isEmpty()) {
            throw new Refused(r.storage(), "backup " + r.backupId() + " is not in the catalog of "
                    + (r.storage() == null ? "any storage of " + r.cluster() : "storage '" + r.storage() + "'"));
        }
        Set<String> used = restores.inUse(r.cluster());
        for (CatalogBackup b : copies) {
            if (used.contains(b.storage() + " " + b.backupId()) || used.contains(b.backupId())) {
                throw new Refused(b.storage(), "a running restore uses backup " + b.backupId() + " on storage '"
                        + b.storage() + "': it can be deleted once the restore has ended");
            }
            boolean onlyComplete = b.complete() && all.stream().noneMatch(o -> o.storage().equals(b.storage())
                    && o.complete() && !o.backupId().equals(b.backupId()));
            if (onlyComplete && !r.forced()) {
                throw new Refused(b.storage(), "backup " + b.backupId() + " is the only complete backup on storage '"
                        + b.storage() + "': without it nothing there restores; add force to delete it anyway");
            }
        }
        String reason = "deleted on request" + (r.reason() == null ? "" : ": " + r.reason());
        List<String> done = new ArrayList<>();
        for (CatalogBackup b : copies) {
            try (BackupStorage opened = storages.open(topology, b.storage())) {
                Map<String, Doomed> one = new LinkedHashMap<>();
                one.put(b.backupId(), new Doomed(b.backupId(), reason));
                remove(r.cluster(), opened, one, List.of(), BackupRemoved.REQUEST, cause);
                done.add(b.storage());
            }
        }
        return done;
    }

    /** The time of an incomplete backup's newest file when that is older than the grace; empty otherwise. */
    private Optional<Instant> abandonedSince(BackupStorage storage, String backupId, Instant now) throws IOException {
        Instant newest = null;
        try (Stream<ObjectInfo> files = storage.list(StorageLayout.backupFolder(backupId))) {
            for (Iterator<ObjectInfo> it = files.iterator(); it.hasNext(); ) {
                Instant t = it.next().lastModified();
                if (t != null && (newest == null || t.isAfter(newest))) {
                    newest = t;
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return newest != null && newest.plus(incompleteGrace).isBefore(now) ? Optional.of(newest) : Optional.empty();
    }

    /** The keys of the segments from {@code first} to {@code last} of one timeline, made as they are read. */
    static Iterator<String> segmentKeys(String first, String last) {
        String timeline = first.substring(0, 8);
        long end = WalRanges.number(last);
        return new Iterator<>() {
            private long next = WalRanges.number(first);

            @Override
            public boolean hasNext() {
                return next <= end;
            }

            @Override
            public String next() {
                if (next > end) {
                    throw new NoSuchElementException();
                }
                return StorageLayout.walSegment(WalRanges.name(timeline, next++));
            }
        };
    }
}
