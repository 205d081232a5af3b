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
 * Brings the applied topology to the desired config: valid changes are published in transactions of up to
 * {@link #BATCH} clusters, each cluster's fan-out whole; refused documents publish a rejection and leave that
 * cluster's applied config in force.
 */
public final class ConfigReconciler {
    private static final Logger LOG = Logger.getLogger(ConfigReconciler.class);
    /** Clusters whose changes go in one transaction at most. */
    static final int BATCH = 100;

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
        long start = System.nanoTime();
        List<TopologyPlan> plans = new ArrayList<>();
        for (String cluster : gone) {
            plan(cluster, null).ifPresent(plans::add);
        }
        for (ClusterConfig config : desired.values()) {
            plan(config.cluster(), config).ifPresent(plans::add);
        }
        List<Applied> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (int from = 0; from < plans.size(); from += BATCH) {
            publish(plans.subList(from, Math.min(plans.size(), from + BATCH)), start, done, failed);
        }
        return new Outcome(done, problems, failed);
    }

    /**
     * Publishes several clusters' changes in one transaction (a change of many files, or of a file that many
     * clusters share, is not one transaction per cluster); each cluster's fan-out is whole in it. When that fails,
     * each is tried alone, so a cluster whose change cannot be published holds back no other.
     */
    private void publish(List<TopologyPlan> batch, long start, List<Applied> done, List<String> failed) {
        try {
            publisher.publishAll(batch);
            batch.forEach(plan -> applied(plan, start, done));
            return;
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                failed(batch.get(0), e, failed);
                return;
            }
            LOG.warnf("could not publish the changes of %d clusters at once (%s); publishing them one by one",
                    batch.size(), e.getMessage());
        }
        for (TopologyPlan plan : batch) {
            try {
                publisher.publish(plan);
                applied(plan, start, done);
            } catch (RuntimeException e) {
                failed(plan, e, failed);
            }
        }
    }

    private static void failed(TopologyPlan plan, RuntimeException e, List<String> failed) {
        // Nothing was committed: the applied topology stays, and the next rescan tries again.
        LOG.errorf("cluster %s: could not publish its change (%s); will retry", plan.cluster(), e.getMessage());
        failed.add(plan.cluster());
    }

    private void applied(TopologyPlan plan, long start, List<Applied> done) {
        if (plan.next() == null) {
            applied.remove(plan.cluster());
        } else {
            applied.put(plan.next(), plan.overlay());
        }
        done.add(new Applied(plan, System.nanoTime() - start));
    }

    /** The change that brings one cluster to its config (null: the cluster is gone), if it needs one. */
    private Optional<TopologyPlan> plan(String cluster, ClusterConfig config) {
        TopologyApplied current = applied.get(cluster).orElse(null);
        RestoreOverlay overlay = applied.overlay(cluster);
        RestoreOverlay.Merged merged = config == null ? null : overlay.over(config, current);
        var plan = TopologyPlanner.plan(current, merged == null ? null : merged.config())
                .map(p -> merged == null ? p : p.withOverlay(merged.overlay()));
        if (plan.isEmpty() && merged != null && !merged.overlay().equals(overlay)) {
            // The files took over what a restore added: the record says so, or a restart would bring it back.
            plan = Optional.of(TopologyPlanner.rewrite(current, merged.overlay()));
        }
        return plan;
    }

    /**
     * Two clusters must never write to the same place. Clusters already applied keep their claim; a newcomer
     * that overlaps is refused, in file order.
     */
    /** A storage's location with its identity computed once: a reconcile of 1,000 clusters compares a million pairs. */
    private record Claim(StorageLocation location, String identity) {
        static Map<String, Claim> of(Map<String, StorageLocation> storages) {
            Map<String, Claim> out = new LinkedHashMap<>();
            storages.forEach((name, l) -> out.put(name, new Claim(l, l.identity())));
            return out;
        }
    }

    private void refuseSharedLocations(Map<String, ClusterConfig> desired, Set<String> gone, List<ConfigProblem> problems) {
        Map<String, Map<String, Claim>> claims = new HashMap<>();
        applied.all().values().stream().filter(t -> !gone.contains(t.cluster()))
                .forEach(t -> claims.put(t.cluster(), Claim.of(TopologyPlanner.view(t).storages())));
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
            Map<String, Claim> mineClaimed = Claim.of(mine);
            ConfigProblem conflict = conflict(c, mineClaimed, claims);
            if (conflict == null) {
                claims.put(c.cluster(), mineClaimed);
            } else {
                problems.add(conflict);
                desired.remove(c.cluster());
            }
        }
    }

    private static ConfigProblem conflict(ClusterConfig c, Map<String, Claim> mine,
                                          Map<String, Map<String, Claim>> claims) {
        for (var claim : claims.entrySet()) {
            if (claim.getKey().equals(c.cluster())) {
                continue;
            }
            for (var own : mine.entrySet()) {
                for (var other : claim.getValue().entrySet()) {
                    if (Locations.overlap(own.getValue().identity(), other.getValue().identity())) {
                        return new ConfigProblem(c.source(), c.document(), c.cluster(), "spec.storages." + own.getKey(),
                                "points at the same location as storage " + other.getKey() + " of cluster "
                                        + claim.getKey() + " (" + own.getValue().location().describe()
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
