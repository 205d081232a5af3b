package io.stowage.config.topology;

import io.stowage.config.model.ClusterConfig;
import io.stowage.config.model.ConfigDocument;
import io.stowage.config.model.ConfigProblem;
import io.stowage.config.source.FolderSnapshot;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.StorageLocation;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Brings the applied topology to the desired config, one cluster at a time: valid changes are published as one
 * transaction per cluster; refused documents publish a rejection and leave that cluster's applied config in force.
 */
public final class ConfigReconciler {
    private static final Logger LOG = Logger.getLogger(ConfigReconciler.class);

    private final AppliedTopologies applied;
    private final TopologyPublisher publisher;
    private final Predicate<String> owns;
    /** Refusals already published: a still-refused document is not reported again at every rescan. */
    private Set<ConfigProblem> reported = Set.of();

    /** What one reconcile did: the plans published, each with the time from diff to commit. */
    public record Outcome(List<Applied> applied, List<ConfigProblem> refused, List<String> failed) {
    }

    public record Applied(TopologyPlan plan, long nanos) {
    }

    /**
     * @param owns which topology sources this reconciler answers for: a cluster applied from elsewhere is never
     *             removed because this source does not define it
     */
    public ConfigReconciler(AppliedTopologies applied, TopologyPublisher publisher, Predicate<String> owns) {
        this.applied = applied;
        this.publisher = publisher;
        this.owns = owns;
    }

    public synchronized Outcome reconcile(FolderSnapshot snapshot) {
        List<ConfigProblem> problems = new ArrayList<>(snapshot.problems());
        Set<String> refusedClusters = new HashSet<>();
        Set<String> refusedSources = new HashSet<>();
        Map<String, ClusterConfig> desired = new LinkedHashMap<>();
        Map<String, String> definedAt = new HashMap<>();

        for (ConfigDocument doc : snapshot.documents()) {
            if (!ConfigValidator.isBackupConfig(doc)) {
                continue;
            }
            ConfigValidator.Result result = ConfigValidator.validate(doc);
            if (!result.valid()) {
                problems.addAll(result.problems());
                refusedSources.add(doc.source());
                result.problems().stream().map(ConfigProblem::cluster).filter(c -> c != null).forEach(refusedClusters::add);
                continue;
            }
            ClusterConfig config = result.config();
            String first = definedAt.putIfAbsent(config.cluster(), doc.where());
            if (first != null) {
                problems.add(new ConfigProblem(doc.source(), doc.index(), config.cluster(), "metadata.name",
                        "cluster " + config.cluster() + " is already defined in " + first));
                continue;
            }
            desired.put(config.cluster(), config);
        }

        Set<String> gone = new TreeSet<>();
        for (TopologyApplied t : applied.all().values()) {
            boolean keep = !snapshot.readable() || !owns.test(t.source()) || desired.containsKey(t.cluster())
                    || refusedClusters.contains(t.cluster())
                    || definedAt.containsKey(t.cluster()) || snapshot.unreadable().contains(t.source())
                    // A refused document may be this cluster's, with the very field that names it broken.
                    || refusedSources.contains(t.source());
            if (!keep) {
                gone.add(t.cluster());
            }
        }
        refuseSharedLocations(desired, gone, problems);

        reportNew(problems);
        List<Applied> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String cluster : gone) {
            apply(cluster, null, done, failed);
        }
        for (ClusterConfig config : desired.values()) {
            apply(config.cluster(), config, done, failed);
        }
        return new Outcome(done, problems, failed);
    }

    private void apply(String cluster, ClusterConfig config, List<Applied> done, List<String> failed) {
        long start = System.nanoTime();
        TopologyApplied current = applied.get(cluster).orElse(null);
        RestoreOverlay overlay = applied.overlay(cluster);
        RestoreOverlay.Merged merged = config == null ? null : overlay.over(config, current);
        var plan = TopologyPlanner.plan(current, merged == null ? null : merged.config())
                .map(p -> merged == null ? p : p.withOverlay(merged.overlay()));
        if (plan.isEmpty() && merged != null && !merged.overlay().equals(overlay)) {
            // The files took over what a restore added: the record says so, or a restart would bring it back.
            plan = Optional.of(TopologyPlanner.rewrite(current, merged.overlay()));
        }
        if (plan.isEmpty()) {
            return;
        }
        try {
            publisher.publish(plan.get());
        } catch (RuntimeException e) {
            // Nothing was committed: the applied topology stays, and the next rescan tries again.
            LOG.errorf("cluster %s: could not publish its change (%s); will retry", cluster, e.getMessage());
            failed.add(cluster);
            return;
        }
        if (plan.get().next() == null) {
            applied.remove(cluster);
        } else {
            applied.put(plan.get().next(), plan.get().overlay());
        }
        done.add(new Applied(plan.get(), System.nanoTime() - start));
    }

    /**
     * Two clusters must never write to the same place. Clusters already applied keep their claim; a newcomer
     * that overlaps is refused, in file order.
     */
    private void refuseSharedLocations(Map<String, ClusterConfig> desired, Set<String> gone, List<ConfigProblem> problems) {
        Map<String, Map<String, StorageLocation>> claims = new HashMap<>();
        applied.all().values().stream().filter(t -> !gone.contains(t.cluster()))
                .forEach(t -> claims.put(t.cluster(), TopologyPlanner.view(t).storages()));
        List<ClusterConfig> order = new ArrayList<>(desired.values());
        order.sort(Comparator.comparing((ClusterConfig c) -> applied.get(c.cluster()).isEmpty())
                .thenComparing(ClusterConfig::source).thenComparing(ClusterConfig::document));
        for (ClusterConfig c : order) {
            Map<String, StorageLocation> mine = new LinkedHashMap<>();
            c.spec().storages().forEach((name, s) -> mine.put(name, s.location(c.cluster())));
            // A restore-added profile is still this cluster's claim, though its files do not name it.
            applied.get(c.cluster()).ifPresent(t -> applied.overlay(c.cluster()).profiles().stream()
                    .filter(n -> t.spec().storages().containsKey(n))
                    .forEach(n -> mine.putIfAbsent(n, t.spec().storages().get(n).location(c.cluster()))));
            ConfigProblem conflict = conflict(c, mine, claims);
            if (conflict == null) {
                claims.put(c.cluster(), mine);
            } else {
                problems.add(conflict);
                desired.remove(c.cluster());
            }
        }
    }

    private static ConfigProblem conflict(ClusterConfig c, Map<String, StorageLocation> mine,
                                          Map<String, Map<String, StorageLocation>> claims) {
        for (var claim : claims.entrySet()) {
            if (claim.getKey().equals(c.cluster())) {
                continue;
            }
            for (var own : mine.entrySet()) {
                for (var other : claim.getValue().entrySet()) {
                    if (Locations.overlap(own.getValue(), other.getValue())) {
                        return new ConfigProblem(c.source(), c.document(), c.cluster(), "spec.storages." + own.getKey(),
                                "points at the same location as storage " + other.getKey() + " of cluster "
                                        + claim.getKey() + " (" + own.getValue().describe()
                                        + "): two clusters must not write to the same bucket and prefix or folder");
                    }
                }
            }
        }
        return null;
    }

    private void reportNew(List<ConfigProblem> problems) {
        for (ConfigProblem p : problems) {
            if (!reported.contains(p)) {
                LOG.warnf("config refused: %s", p.describe());
                try {
                    publisher.reject(p);
                } catch (RuntimeException e) {
                    LOG.errorf("could not publish the refusal of %s: %s", p.source(), e.getMessage());
                }
            }
        }
        reported = Set.copyOf(problems);
    }
}
