package io.stowage.config.topology;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.stowage.config.model.ClusterConfig;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.StorageSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What restores put into a cluster's applied topology beyond its files (a backupSource as a temporary main, or
 * as profiles), so that file applies and restarts keep it. It travels with the cluster's {@code stowage.topology}
 * record; the storages' specs themselves are in the record's spec.
 *
 * @param temporaryMain the backupSource that is the main while a restore runs, or null
 * @param profiles      the profiles restores added (sorted names)
 */
public record RestoreOverlay(TemporaryMain temporaryMain, List<String> profiles) {
    public static final RestoreOverlay NONE = new RestoreOverlay(null, List.of());

    /**
     * @param correlationId the restore request's correlation: the revert joins it
     * @param pitrBefore    the cluster's {@code spec.pitr} before, put back by the revert (null when it had none)
     */
    public record TemporaryMain(String restoreId, String storage, String correlationId, PitrSpec pitrBefore) {
    }

    /** A file config with this overlay on top, and the overlay that still holds. */
    public record Merged(ClusterConfig config, RestoreOverlay overlay) {
    }

    public RestoreOverlay {
        profiles = profiles == null ? List.of() : List.copyOf(new TreeSet<>(profiles));
    }

    @JsonIgnore
    public boolean isEmpty() {
        return temporaryMain == null && profiles.isEmpty();
    }

    public RestoreOverlay withTemporaryMain(TemporaryMain main) {
        return new RestoreOverlay(main, profiles);
    }

    public RestoreOverlay withProfile(String name) {
        List<String> more = new ArrayList<>(profiles);
        more.add(name);
        return new RestoreOverlay(temporaryMain, more);
    }

    /**
     * Puts this overlay on the files' desired config of the cluster. The files win:
     * <ul>
     *   <li>a restore-added profile stays while the files name a main storage and name no storage of that name,
     *       nor one at its location (then it IS that storage, and the overlay forgets it);</li>
     *   <li>a temporary main stays while the files name no storage; {@code spec.pitr} stays disabled meanwhile,
     *       and the files' own setting is what the revert puts back.</li>
     * </ul>
     *
     * @param applied the topology in force, which holds the overlay's storage specs
     */
    public Merged over(ClusterConfig files, TopologyApplied applied) {
        if (isEmpty() || applied == null) {
            return new Merged(files, NONE);
        }
        String cluster = files.cluster();
        Map<String, StorageSpec> inForce = applied.spec().storages();
        Map<String, StorageSpec> storages = new TreeMap<>(files.spec().storages());
        List<String> profilesAfter = new ArrayList<>(files.profiles());
        List<String> kept = new ArrayList<>();
        for (String name : profiles) {
            StorageSpec spec = inForce.get(name);
            if (files.main() == null || spec == null || name.equals(applied.main()) || storages.containsKey(name)
                    || storages.values().stream().anyMatch(s -> Locations.overlap(s.location(cluster),
                    spec.location(cluster)))) {
                continue;
            }
            storages.put(name, spec.withMain(false));
            profilesAfter.add(name);
            kept.add(name);
        }
        String main = files.main();
        PitrSpec pitr = files.spec().pitr();
        TemporaryMain temporary = null;
        if (temporaryMain != null && files.main() == null && temporaryMain.storage().equals(applied.main())
                && inForce.containsKey(temporaryMain.storage())) {
            temporary = new TemporaryMain(temporaryMain.restoreId(), temporaryMain.storage(),
                    temporaryMain.correlationId(), pitr);
            main = temporary.storage();
            storages.put(main, inForce.get(main).withMain(true));
            pitr = new PitrSpec(false);
        }
        BackupConfigSpec spec = new BackupConfigSpec(files.spec().postgres(), pitr, storages);
        ClusterConfig merged = new ClusterConfig(cluster, files.source(), files.document(), spec, main,
                profilesAfter.stream().sorted().toList(), files.mainImplied(), files.resyncAnnotation());
        return new Merged(merged, new RestoreOverlay(temporary, kept));
    }
}
