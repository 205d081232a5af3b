package io.stowage.config.topology;

import io.stowage.config.model.ClusterConfig;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.ResyncScope;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.StorageLocation;
import io.stowage.events.spec.RetentionSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.TopologyView;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares a cluster's applied topology with its desired config and says what to publish. Pure logic: the
 * same inputs always give the same plan, and an unchanged config gives none.
 */
public final class TopologyPlanner {
    private TopologyPlanner() {
    }

    /**
     * @param applied the topology in force, or null for a new cluster
     * @param desired the valid desired config, or null when the cluster left the config
     */
    public static Optional<TopologyPlan> plan(TopologyApplied applied, ClusterConfig desired) {
        if (desired == null) {
            return applied == null ? Optional.empty() : Optional.of(removal(applied));
        }
        TopologyApplied next = next(applied, desired);
        List<StowageEvent> events = applied == null ? creation(desired, next) : changes(applied, desired, next);
        if (applied != null && events.isEmpty() && sameState(applied, next)) {
            return Optional.empty();
        }
        return Optional.of(new TopologyPlan(desired.cluster(), events, next));
    }

    private static List<StowageEvent> creation(ClusterConfig desired, TopologyApplied next) {
        List<StowageEvent> events = new ArrayList<>();
        TopologyView view = view(next);
        String cluster = desired.cluster();
        if (desired.main() != null) {
            events.add(mainSet(desired, view));
        }
        for (String profile : desired.profiles()) {
            events.add(new StorageChanged(cluster, StorageChange.PROFILE_ADDED, profile, null, view,
                    "new profile: receives base backups only"));
        }
        if (desired.resyncAnnotation()) {
            events.add(new ResyncRequested(cluster, null, ResyncScope.ALL, "annotation stowage.io/resync set"));
        }
        return events;
    }

    private static List<StowageEvent> changes(TopologyApplied applied, ClusterConfig desired, TopologyApplied next) {
        List<StowageEvent> events = new ArrayList<>();
        String cluster = desired.cluster();
        TopologyView view = view(next);
        Map<String, StorageSpec> before = applied.spec().storages();
        Map<String, StorageSpec> after = next.spec().storages();
        String oldMain = applied.main();
        String newMain = next.main();
        if (oldMain == null && newMain != null) {
            events.add(mainSet(desired, view));
        } else if (oldMain != null && newMain == null) {
            events.add(new StorageChanged(cluster, StorageChange.STORAGE_REMOVED, oldMain, null, view,
                    "the main storage left the config, which names no storage now; its files stay where they are"));
        } else if (oldMain != null && !oldMain.equals(newMain)) {
            // The seed's fan-out: resync the new main, delete its profile, add the previous main as a profile.
            events.add(new StorageChanged(cluster, StorageChange.MAIN_CHANGED, newMain, oldMain, view,
                    "main storage changed from " + oldMain + " to " + newMain));
            events.add(new ResyncRequested(cluster, newMain, null, "main storage changed from " + oldMain + " to "
                    + newMain));
            if (applied.profiles().contains(newMain)) {
                events.add(new StorageChanged(cluster, StorageChange.PROFILE_REMOVED, newMain, null, view,
                        "became the main storage"));
            }
            if (after.containsKey(oldMain)) {
                events.add(new StorageChanged(cluster, StorageChange.PROFILE_ADDED, oldMain, null, view,
                        "the previous main storage becomes a profile"));
            } else {
                events.add(new StorageChanged(cluster, StorageChange.STORAGE_REMOVED, oldMain, null, view,
                        "the previous main storage left the config; its files stay where they are"));
            }
        }
        for (String name : new TreeSet<>(after.keySet())) {
            if (!before.containsKey(name) && !Objects.equals(name, newMain)) {
                events.add(new StorageChanged(cluster, StorageChange.PROFILE_ADDED, name, null, view,
                        "new profile: receives base backups only"));
            }
        }
        for (String name : new TreeSet<>(before.keySet())) {
            if (!after.containsKey(name) && !Objects.equals(name, oldMain)) {
                events.add(new StorageChanged(cluster, StorageChange.STORAGE_REMOVED, name, null, view,
                        "left the config; its files stay where they are"));
            }
        }
        for (String name : new TreeSet<>(after.keySet())) {
            if (before.containsKey(name) && !sameSettings(before.get(name), after.get(name))) {
                events.add(new StorageChanged(cluster, StorageChange.STORAGE_UPDATED, name, null, view,
                        onlyRetentionDiffers(before.get(name), after.get(name))
                                ? "retention changed: " + describe(after.get(name).retention())
                                : "settings changed"));
            }
        }
        if (desired.resyncAnnotation() && !applied.resyncAnnotation()) {
            events.add(new ResyncRequested(cluster, null, ResyncScope.ALL, "annotation stowage.io/resync set"));
        }
        return events;
    }

    /** The same topology as a new revision: only what travels with the record changes. */
    static TopologyPlan rewrite(TopologyApplied applied, RestoreOverlay overlay) {
        TopologyApplied next = new TopologyApplied(applied.cluster(), applied.revision() + 1, applied.main(),
                applied.profiles(), applied.spec(), applied.resyncAnnotation(), applied.source());
        return new TopologyPlan(applied.cluster(), List.of(), next, overlay, null);
    }

    private static StorageChanged mainSet(ClusterConfig desired, TopologyView view) {
        return new StorageChanged(desired.cluster(), StorageChange.MAIN_SET, desired.main(), null, view,
                desired.mainImplied() ? "the only storage, without a main flag: implied main" : "marked main: true");
    }

    private static TopologyPlan removal(TopologyApplied applied) {
        List<StowageEvent> events = new ArrayList<>();
        TopologyView empty = new TopologyView(null, List.of(), Map.of());
        for (String profile : applied.profiles()) {
            events.add(new StorageChanged(applied.cluster(), StorageChange.STORAGE_REMOVED, profile, null, empty,
                    "the cluster left the config; its files stay where they are"));
        }
        if (applied.main() != null) {
            events.add(new StorageChanged(applied.cluster(), StorageChange.STORAGE_REMOVED, applied.main(), null, empty,
                    "the cluster left the config; its files stay where they are"));
        }
        return new TopologyPlan(applied.cluster(), events, null);
    }

    private static TopologyApplied next(TopologyApplied applied, ClusterConfig desired) {
        long revision = applied == null ? 1 : applied.revision() + 1;
        return new TopologyApplied(desired.cluster(), revision, desired.main(), desired.profiles(), desired.spec(),
                desired.resyncAnnotation(), desired.source());
    }

    /** Equal in everything but the revision: nothing to write. */
    private static boolean sameState(TopologyApplied a, TopologyApplied b) {
        return Objects.equals(a.main(), b.main()) && a.profiles().equals(b.profiles()) && sameSpec(a.spec(), b.spec())
                && a.resyncAnnotation() == b.resyncAnnotation() && Objects.equals(a.source(), b.source());
    }

    private static boolean sameSpec(BackupConfigSpec a, BackupConfigSpec b) {
        return Objects.equals(a.postgres(), b.postgres()) && Objects.equals(a.pitr(), b.pitr())
                && Objects.equals(a.storages(), b.storages()) && a.schedulesOrNone().equals(b.schedulesOrNone());
    }

    private static boolean onlyRetentionDiffers(StorageSpec a, StorageSpec b) {
        return sameSettings(withoutRetention(a), withoutRetention(b));
    }

    private static StorageSpec withoutRetention(StorageSpec s) {
        return new StorageSpec(s.main(), s.type(), s.s3(), s.filesystem(), null);
    }

    private static String describe(RetentionSpec retention) {
        if (retention == null || (retention.keep() == null && retention.maxAge() == null)) {
            return "every backup is kept";
        }
        List<String> limits = new ArrayList<>();
        if (retention.keep() != null) {
            limits.add("keep " + retention.keep());
        }
        if (retention.maxAge() != null) {
            limits.add("maxAge " + retention.maxAge());
        }
        return String.join(", ", limits);
    }

    private static boolean sameSettings(StorageSpec a, StorageSpec b) {
        return Objects.equals(a.withMain(false), b.withMain(false));
    }

    /** The secret-free view of a topology that travels in every storage.changed event. */
    static TopologyView view(TopologyApplied t) {
        Map<String, StorageLocation> locations = new TreeMap<>();
        t.spec().storages().forEach((name, s) -> locations.put(name, s.location(t.cluster())));
        return new TopologyView(t.main(), t.profiles(), locations);
    }
}
