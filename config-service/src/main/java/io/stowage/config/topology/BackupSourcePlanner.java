package io.stowage.config.topology;

import io.stowage.events.BackupSources;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.StorageLocation;
import io.stowage.events.spec.StorageSpec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a restore's inline {@code backupSource} does to its cluster's applied topology (seed 1), and what the end
 * of that restore undoes. Where the source stands is {@link BackupSources#place}'s answer, shared with
 * restore-service; this class turns it into a plan. Pure logic: no Kafka.
 */
public final class BackupSourcePlanner {

    /** The outcome for one restore event. */
    public sealed interface Decision {
    }

    /** Nothing to publish. */
    public record Unchanged(String why) implements Decision {
    }

    /** Refused: published as {@code config.rejected.v1}; the topology stays as it is. */
    public record Refused(String field, String reason) implements Decision {
    }

    /** A plan to publish; it carries the restore's cause and the overlay after it. */
    public record Change(TopologyPlan plan) implements Decision {
    }

    private BackupSourcePlanner() {
    }

    /**
     * @param applied  the cluster's topology in force, or null when it has none
     * @param overlay  what restores already added to it
     * @param clusters every applied topology (other clusters' storages must not be written to)
     * @param cause    the request's correlation and id
     */
    public static Decision requested(RestoreRequested request, String restoreId, TopologyApplied applied,
                                     RestoreOverlay overlay, Collection<TopologyApplied> clusters, Cause cause) {
        String cluster = request.cluster();
        StorageSpec source = request.backupSource();
        if (applied == null) {
            return new Refused("cluster", "cluster " + cluster + " is not in the applied topology: add its "
                    + "BackupConfig (spec.postgres, storages optional) before restoring into it");
        }
        BackupSources.Placement placement;
        try {
            placement = BackupSources.place(cluster, source, request.storage(), applied.spec().storages());
        } catch (IllegalArgumentException e) {
            return new Refused("storage", e.getMessage());
        }
        String name = placement.storage();
        return switch (placement.way()) {
            case CONFIGURED -> new Unchanged("the backupSource is storage " + name + " of cluster " + cluster);
            case TEMPORARY_MAIN -> new Change(temporaryMain(request, restoreId, name, applied, overlay, cause));
            case PROFILE -> profile(request, restoreId, name, applied, overlay, clusters, cause);
        };
    }

    /**
     * The end of a restore: when its backupSource is the cluster's temporary main, back to the config in force
     * (no storage, the files' {@code spec.pitr}). Anything else ends with nothing to do.
     *
     * @param outcome    {@code completed} or {@code failed}, for the reason text
     * @param endEventId the id of the {@code restore.completed}/{@code restore.failed} event
     */
    public static Decision ended(String cluster, String restoreId, String outcome, String endEventId,
                                 TopologyApplied applied, RestoreOverlay overlay) {
        RestoreOverlay.TemporaryMain temporary = overlay.temporaryMain();
        if (applied == null || temporary == null || !temporary.restoreId().equals(restoreId)) {
            return new Unchanged("restore " + restoreId + " set no temporary main of cluster " + cluster);
        }
        Map<String, StorageSpec> storages = new TreeMap<>(applied.spec().storages());
        storages.remove(temporary.storage());
        List<String> profiles = applied.profiles().stream().filter(p -> !p.equals(temporary.storage())).toList();
        BackupConfigSpec spec = new BackupConfigSpec(applied.spec().postgres(), temporary.pitrBefore(), storages);
        TopologyApplied next = new TopologyApplied(cluster, applied.revision() + 1, null, profiles, spec,
                applied.resyncAnnotation(), applied.source());
        StorageChanged removed = new StorageChanged(cluster, StorageChange.STORAGE_REMOVED, temporary.storage(), null,
                TopologyPlanner.view(next), "restore " + restoreId + " " + outcome + ": its backupSource was the main "
                + "for that restore only; back to the config in force, which names no storage; "
                + "the files stay where they are");
        return new Change(new TopologyPlan(cluster, List.of(removed), next, overlay.withTemporaryMain(null),
                new Cause(temporary.correlationId(), endEventId)));
    }

    private static TopologyPlan temporaryMain(RestoreRequested request, String restoreId, String name,
                                              TopologyApplied applied, RestoreOverlay overlay, Cause cause) {
        String cluster = request.cluster();
        // WAL archived into a disaster-recovery source would mix this cluster's timeline into another's backups.
        BackupConfigSpec spec = new BackupConfigSpec(applied.spec().postgres(), new PitrSpec(false),
                Map.of(name, request.backupSource().withMain(true)));
        TopologyApplied next = new TopologyApplied(cluster, applied.revision() + 1, name, List.of(), spec,
                applied.resyncAnnotation(), applied.source());
        StorageChanged set = new StorageChanged(cluster, StorageChange.MAIN_SET, name, null, TopologyPlanner.view(next),
                "restore " + restoreId + ": the cluster has no storage, so its backupSource is the main for this "
                        + "restore only, with spec.pitr.enabled false (no WAL is archived into it); "
                        + "removed when the restore completes or fails");
        RestoreOverlay.TemporaryMain temporary = new RestoreOverlay.TemporaryMain(restoreId, name,
                cause.correlationId(), applied.spec().pitr());
        return new TopologyPlan(cluster, List.of(set), next, overlay.withTemporaryMain(temporary), cause);
    }

    private static Decision profile(RestoreRequested request, String restoreId, String name, TopologyApplied applied,
                                    RestoreOverlay overlay, Collection<TopologyApplied> clusters, Cause cause) {
        String cluster = request.cluster();
        RestoreOverlay.TemporaryMain temporary = overlay.temporaryMain();
        if (temporary != null) {
            return new Refused("backupSource", "cluster " + cluster + " runs restore " + temporary.restoreId()
                    + " from its backupSource " + temporary.storage() + " as a temporary main; request this restore "
                    + "again once that one has completed or failed");
        }
        StorageLocation where = request.backupSource().location(cluster);
        for (TopologyApplied other : clusters) {
            for (var s : other.spec().storages().entrySet()) {
                if (Locations.overlap(where, s.getValue().location(other.cluster()))) {
                    return new Refused("backupSource", "the backupSource (" + where.describe() + ") overlaps storage "
                            + s.getKey() + " of cluster " + other.cluster() + ": as a profile it would receive base "
                            + "backups, and two storages must not write into each other's files");
                }
            }
        }
        Map<String, StorageSpec> storages = new TreeMap<>(applied.spec().storages());
        storages.put(name, request.backupSource().withMain(false));
        List<String> profiles = new ArrayList<>(applied.profiles());
        profiles.add(name);
        BackupConfigSpec spec = new BackupConfigSpec(applied.spec().postgres(), applied.spec().pitr(), storages);
        TopologyApplied next = new TopologyApplied(cluster, applied.revision() + 1, applied.main(),
                profiles.stream().sorted().toList(), spec, applied.resyncAnnotation(), applied.source());
        StorageChanged added = new StorageChanged(cluster, StorageChange.PROFILE_ADDED, name, null,
                TopologyPlanner.view(next), "restore " + restoreId + ": its backupSource is added as a profile "
                + "(base backups only); it stays after the restore");
        return new Change(new TopologyPlan(cluster, List.of(added), next, overlay.withProfile(name), cause));
    }
}
