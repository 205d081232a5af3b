package io.stowage.restore.plan;

import io.stowage.bus.CatalogView;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.data.PitrTarget;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.postgres.WalSegments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checks made before anything is touched (the restore's first three named checks), and the plan they lead to:
 * {@code check-request} (one storage, a known cluster, a place to restore to), {@code check-backup} (a complete
 * backup on that storage, before the target) and {@code check-wal-chain} (every WAL segment from the backup's stop
 * point to the target on some storage).
 */
public final class RestorePlanner {
    public static final String CHECK_REQUEST = "check-request";
    public static final String CHECK_BACKUP = "check-backup";
    public static final String CHECK_WAL = "check-wal-chain";
    public static final String LATEST = "latest";

    /**
     * When a stored WAL segment was written to one cluster's storage, if the storage can tell. The cluster matters:
     * storage names are per cluster, and two clusters may each have a storage of the same name.
     */
    @FunctionalInterface
    public interface SegmentClock {
        Optional<Instant> storedAt(String cluster, String storage, long timeline, String segmentName);
    }

    /** What to do next: restore by this plan, or resync the storage first and plan again. */
    public sealed interface Decision permits Go, ResyncFirst {
    }

    public record Go(RestorePlan plan) implements Decision {
    }

    /** The catalog does not know the backup on the storage: resync it, then decide (seed 1; the catalog lags too). */
    public record ResyncFirst(String storage, String why) implements Decision {
    }

    /** What an earlier run of a restore chose, from its state file; the restore's later runs keep to it. */
    public record Begun(String backupId, String storage, Path stateFile) {
    }

    /** Finds an earlier run's choice by the restore's state file; empty for a restore never run. */
    @FunctionalInterface
    public interface BegunRestores {
        Optional<Begun> find(Path stateFile) throws IOException;
    }

    private final CatalogView catalog;
    private final SegmentClock clock;
    private final BegunRestores begun;

    public RestorePlanner(CatalogView catalog, SegmentClock clock) {
        this(catalog, clock, stateFile -> Optional.empty());
    }

    public RestorePlanner(CatalogView catalog, SegmentClock clock, BegunRestores begun) {
        this.catalog = catalog;
        this.clock = clock;
        this.begun = begun;
    }

    /**
     * @param storage  the storage to restore from (the request's, or the one its backupSource is placed as)
     * @param resynced whether the storage was just resynced for this restore (a second miss is a refusal)
     */
    public Decision plan(RestoreRequested r, String restoreId, TopologyApplied topology, String storage,
                         boolean resynced) throws Refusal {
        if (topology == null) {
            throw new Refusal(CHECK_REQUEST, "cluster " + r.cluster() + " is not in the applied topology");
        }
        if (storage == null) {
            throw new Refusal(CHECK_REQUEST, "a restore names exactly one storage: give storage, or a backupSource");
        }
        if (!topology.spec().storages().containsKey(storage)) {
            throw new Refusal(CHECK_REQUEST, "storage '" + storage + "' is not a storage of cluster " + r.cluster()
                    + " (its storages: " + String.join(", ", topology.spec().storages().keySet()) + ")");
        }
        PostgresSpec postgres = topology.spec().postgres();
        if (postgres == null) {
            throw new Refusal(CHECK_REQUEST, "cluster " + r.cluster() + " has no spec.postgres");
        }
        boolean intoVolume = !r.inPlace() && r.target().intoVolume();
        if (intoVolume && Boolean.TRUE.equals(r.backupAfterRestore())) {
            throw new Refusal(CHECK_REQUEST, "a restore into a new volume leaves no server running to back up: "
                    + "leave backupAfterRestore out, and back up the server that mounts the volume");
        }
        Path dataDirectory = intoVolume ? RestorePlan.VOLUME_MOUNT.resolve(RestorePlan.VOLUME_DATA_FOLDER)
                : dataDirectory(r, postgres);
        // A Job's state file is on its volume, which this host does not see: the Job keeps to its own plan.
        r = intoVolume ? r : keptTo(r, restoreId, storage, begun(RestorePlan.stateFile(dataDirectory, restoreId)));
        int port = r.inPlace() ? (postgres.port() == null ? 5432 : postgres.port())
                : intoVolume ? RestorePlan.VOLUME_PORT : r.target().port();

        CatalogBackup backup = chooseBackup(r, storage, topology, resynced);
        if (backup == null) {
            return new ResyncFirst(storage, r.backupId().equals(LATEST) ? "the catalog knows no complete backup on it"
                    : "the catalog does not know backup " + r.backupId() + " on it");
        }
        long timeline = Long.parseLong(backup.timeline(), 16);
        List<String> preference = preference(topology, storage);
        if (intoVolume) {
            // A restore Job reaches object storage only: its WAL must come from S3 storages.
            preference = preference.stream().filter(name -> topology.spec().storages().get(name).type()
                    == io.stowage.events.spec.StorageType.S3).toList();
            if (!preference.contains(storage)) {
                throw new Refusal(CHECK_REQUEST, "storage '" + storage + "' is a folder of restore-service's host, "
                        + "which a restore Job cannot reach: restore into a new volume from an S3 storage");
            }
        }
        List<CatalogWal> wal = catalog.wal(r.cluster());
        List<WalChain.Piece> pieces = List.of();
        Long lastSegment = null;
        if (r.pitr() != null) {
            WalChain chain = WalChain.of(timeline, preference, wal);
            long from = WalChain.numberOfLsn(WalSegments.parseLsn(backup.stopLsn()));
            long end = checkChain(r.cluster(), r.pitr(), backup, chain, from, timeline);
            pieces = chain.plan(from, end);
            lastSegment = end;
        }
        List<RestorePlan.History> histories = histories(wal, preference, timeline);
        boolean archiving = topology.spec().pitr() != null && topology.spec().pitr().enabled();
        return new Go(new RestorePlan(r.cluster(), restoreId, storage, backup, r.pitr(), pieces, lastSegment,
                histories, postgres, dataDirectory, port, r.inPlace(), archiving,
                Boolean.TRUE.equals(r.backupAfterRestore()), intoVolume ? r.target().volume() : null));
    }

    private Optional<Begun> begun(Path stateFile) throws Refusal {
        try {
            return begun.find(stateFile);
        } catch (IOException e) {
            throw new Refusal(CHECK_REQUEST, "the restore's state file " + stateFile + " cannot be read (" + e.getMessage()
                    + "): it says what an earlier run of this restore did; move it aside only if no run of it is left");
        }
    }

    /**
     * A restore is planned once: run again (a redelivery, a retry, the same request sent again), it restores the
     * backup its first run chose, even when {@code latest} now names a newer one. Asking the same restore id for
     * another backup or storage is refused: its folders hold the first one's copy.
     */
    private static RestoreRequested keptTo(RestoreRequested r, String restoreId, String storage,
                                           Optional<Begun> begun) throws Refusal {
        if (begun.isEmpty()) {
            return r;
        }
        Begun b = begun.get();
        if (!b.storage().equals(storage) || !r.backupId().equals(LATEST) && !r.backupId().equals(b.backupId())) {
            throw new Refusal(CHECK_REQUEST, "restore " + restoreId + " was begun with backup " + b.backupId()
                    + " from storage '" + b.storage() + "' (" + b.stateFile() + "): a restore id restores one backup;"
                    + " to restore another, request it under a new restoreId");
        }
        return new RestoreRequested(r.cluster(), b.backupId(), r.storage(), r.pitr(), r.backupSource(),
                r.backupAfterRestore(), r.restoreId(), r.target());
    }

    private static Path dataDirectory(RestoreRequested r, PostgresSpec postgres) throws Refusal {
        if (r.inPlace()) {
            if (postgres.dataDirectory() == null || postgres.dataDirectory().isBlank()) {
                throw new Refusal(CHECK_REQUEST, "cluster " + r.cluster() + " has no spec.postgres.dataDirectory: "
                        + "restore-service cannot restore it in place; give a target (dataDirectory and port) to "
                        + "restore to a new instance");
            }
            return Path.of(postgres.dataDirectory()).toAbsolutePath().normalize();
        }
        if (r.target().dataDirectory() == null || r.target().port() == null) {
            throw new Refusal(CHECK_REQUEST, "a restore to a new instance needs target.dataDirectory and target.port");
        }
        Path target = Path.of(r.target().dataDirectory());
        if (!target.isAbsolute()) {
            throw new Refusal(CHECK_REQUEST, "target.dataDirectory must be an absolute path: " + target);
        }
        target = target.normalize();
        if (postgres.dataDirectory() != null && Path.of(postgres.dataDirectory()).normalize().equals(target)) {
            throw new Refusal(CHECK_REQUEST, "target.dataDirectory is the cluster's own data directory: leave target "
                    + "out to restore in place");
        }
        Path state = target.resolveSibling(target.getFileName() + ".restore-" + r.restoreId() + ".json");
        if (nonEmpty(target) && !Files.exists(state)) {
            throw new Refusal(CHECK_REQUEST, "target.dataDirectory " + target + " exists and is not empty: a restore "
                    + "never writes over data; name a new folder");
        }
        return target;
    }

    private static boolean nonEmpty(Path dir) {
        if (!Files.exists(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return true;
        }
    }

    private CatalogBackup chooseBackup(RestoreRequested r, String storage, TopologyApplied topology, boolean resynced)
            throws Refusal {
        List<CatalogBackup> known = catalog.backups(r.cluster(), storage);
        // What the catalog lacks is looked for on the storage once (a resync) before a refusal: a profile, or a
        // backupSource placed as the main for this restore, may hold backups the catalog has not seen (written by
        // another site, or before a resync), and even the main's newest backup is listed only once resync-service
        // has read its manifest, a moment after backup.completed.v1 (a restore asked for at once would be refused).
        boolean mayResync = !resynced;
        if (!r.backupId().equals(LATEST)) {
            Optional<CatalogBackup> b = known.stream().filter(k -> k.backupId().equals(r.backupId())).findFirst();
            if (b.isEmpty()) {
                if (mayResync) {
                    return null;
                }
                throw new Refusal(CHECK_BACKUP, "backup " + r.backupId() + " is not on storage '" + storage + "'"
                        + (resynced ? " (it was resynced for this restore)" : ""));
            }
            if (!b.get().complete()) {
                throw new Refusal(CHECK_BACKUP, "backup " + r.backupId() + " on storage '" + storage
                        + "' is incomplete (" + b.get().reason() + "): an incomplete backup is never restored");
            }
            checkTargetAfter(r.pitr(), b.get());
            return b.get();
        }
        List<CatalogBackup> complete = known.stream().filter(CatalogBackup::complete)
                .sorted(Comparator.comparing(CatalogBackup::stopTime).reversed()).toList();
        if (complete.isEmpty()) {
            if (mayResync) {
                return null;
            }
            throw new Refusal(CHECK_BACKUP, "storage '" + storage + "' has no complete backup of cluster "
                    + r.cluster() + (resynced ? " (it was resynced for this restore)" : ""));
        }
        if (r.pitr() == null) {
            return complete.get(0);
        }
        for (CatalogBackup b : complete) {
            if (endsBefore(b, r.pitr())) {
                return b;
            }
        }
        CatalogBackup oldest = complete.get(complete.size() - 1);
        throw new Refusal(CHECK_BACKUP, "the target " + describe(r.pitr()) + " is before the consistency point of "
                + "every backup on storage '" + storage + "' (the oldest, " + oldest.backupId() + ", is consistent at "
                + oldest.stopTime() + ", LSN " + oldest.stopLsn() + ")");
    }

    private static void checkTargetAfter(PitrTarget pitr, CatalogBackup b) throws Refusal {
        if (pitr != null && !endsBefore(b, pitr)) {
            throw new Refusal(CHECK_BACKUP, "the target " + describe(pitr) + " is before backup " + b.backupId()
                    + "'s consistency point (" + b.stopTime() + ", LSN " + b.stopLsn()
                    + "): pick an earlier backup, or a later target");
        }
    }

    private static boolean endsBefore(CatalogBackup b, PitrTarget pitr) {
        if (pitr.time() != null) {
            return !b.stopTime().isAfter(pitr.time());
        }
        return WalSegments.parseLsn(b.stopLsn()) <= WalSegments.parseLsn(pitr.lsn());
    }

    static String describe(PitrTarget pitr) {
        return pitr.time() != null ? "time " + pitr.time() : "LSN " + pitr.lsn();
    }

    /** Returns the last segment to fetch; refuses with the missing range when the chain cannot reach the target. */
    private long checkChain(String cluster, PitrTarget pitr, CatalogBackup backup, WalChain chain, long from,
                            long timeline) throws Refusal {
        String tli = backup.timeline();
        Optional<Long> end = chain.endOfChainFrom(from);
        if (end.isEmpty()) {
            String missing = WalChain.name(timeline, from);
            String upTo = chain.gapAfter(from).map(g -> " to " + WalChain.name(timeline, g.last())).orElse("");
            throw new Refusal(CHECK_WAL, "WAL gap on timeline " + tli + ": " + missing + upTo + " are on no storage "
                    + "(the backup " + backup.backupId() + " ends in " + missing + ")");
        }
        Optional<WalChain.Gap> gap = chain.gapAfter(end.get());
        if (pitr.lsn() != null) {
            long needed = WalChain.numberOfLsn(WalSegments.parseLsn(pitr.lsn()));
            if (needed > end.get() && gap.isPresent()) {
                throw new Refusal(CHECK_WAL, "WAL gap on timeline " + tli + ": " + gap.get().describe()
                        + " are on no storage, and LSN " + pitr.lsn() + " is after it");
            }
            // Without a gap the rest may still come: archiving is paused (and drained) before WAL is fetched.
            return end.get();
        }
        if (gap.isPresent()) {
            String before = WalChain.name(timeline, end.get());
            Optional<Instant> stored = chain.storageOf(end.get())
                    .flatMap(s -> clock.storedAt(cluster, s, timeline, before));
            OffsetDateTime target = pitr.time();
            if (stored.isEmpty() || stored.get().isBefore(target.toInstant())) {
                throw new Refusal(CHECK_WAL, "WAL gap on timeline " + tli + ": " + gap.get().describe()
                        + " are on no storage, and time " + target + " is after the WAL before it ("
                        + before + (stored.map(s -> ", stored at " + s).orElse("")) + ")");
            }
        }
        return end.get();
    }

    /** The storages in the order WAL is read from them: the main first, then the others by name. */
    private static List<String> preference(TopologyApplied topology, String storage) {
        List<String> order = new ArrayList<>();
        if (topology.main() != null) {
            order.add(topology.main());
        }
        topology.spec().storages().keySet().stream().sorted().filter(s -> !order.contains(s)).forEach(order::add);
        return order;
    }

    private static List<RestorePlan.History> histories(List<CatalogWal> wal, List<String> preference, long timeline) {
        List<RestorePlan.History> out = new ArrayList<>();
        List<Long> seen = new ArrayList<>();
        for (String storage : preference) {
            for (CatalogWal w : wal) {
                long tli = Long.parseLong(w.timeline(), 16);
                if (w.storage().equals(storage) && w.historyFile() && !seen.contains(tli)) {
                    seen.add(tli);
                    out.add(new RestorePlan.History(storage, tli));
                }
            }
        }
        return out;
    }
}
