package io.stowage.backup.schedule;

import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.BackupSkipped;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.ScheduleSpec;
import io.stowage.events.spec.ScheduleTimes;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Fires the schedules of the clusters this instance owns (the same share of {@code stowage.topology} as its WAL
 * archivers): at each due time, a {@code backup.requested.v1} whose backup id is the schedule's name and the due time
 * ({@link ScheduleTimes#backupId}), so that a due time fired twice (the previous owner before it died, or this one
 * after a restart) is the same backup, which backup-service's idempotency takes once.
 *
 * <ul>
 *     <li>Only the latest due time fires: after downtime, a missed time fires once, not once per missed time, unless
 *     its backup is already complete on its storages; it is marked late when it starts (backup-service's
 *     {@code stowage.schedules.late-after}).</li>
 *     <li>A cluster being restored fires nothing: the due time is reported in {@code backup.skipped.v1}.</li>
 *     <li>A schedule starts with its first due time after it was applied: one added to a cluster this instance
 *     already schedules, or in a config applied after the latest due time.</li>
 * </ul>
 * No Kafka and no clock here: {@link #tick} is given the time and publishes through {@link Firing}.
 */
public final class BackupScheduler {
    private static final Logger LOG = Logger.getLogger(BackupScheduler.class);

    /** Where the scheduler's decisions go (the bus). A failure leaves the due time to the next tick. */
    public interface Firing {
        void fire(BackupRequested request);

        void skip(BackupSkipped skipped);
    }

    /** Whether a backup is complete (its manifest written) on every one of these storages of the cluster. */
    @FunctionalInterface
    public interface CompleteBackups {
        boolean complete(TopologyApplied topology, String backupId, List<String> storages);
    }

    /** The clusters as backup-service follows them. */
    public interface Clusters {
        Collection<TopologyApplied> all();

        /** When the cluster's current config was applied: due times before it are not caught up. */
        Optional<Instant> appliedAt(String cluster);

        /** The restore holding the cluster, if one does. */
        Optional<String> restoreOf(String cluster);
    }

    /** One schedule of one cluster. */
    private record Key(String cluster, String schedule) {
    }

    private final Firing firing;
    private final CompleteBackups complete;
    private final Map<Key, Instant> handled = new HashMap<>();
    /** The schedules looked at so far (fired or not: a firing that failed is tried again, not taken for new). */
    private final Set<Key> known = new HashSet<>();
    private final Set<String> seenClusters = new HashSet<>();
    private volatile Predicate<String> owns = cluster -> false;

    public BackupScheduler(Firing firing, CompleteBackups complete) {
        this.firing = firing;
        this.complete = complete;
    }

    /**
     * Which clusters this instance schedules. Called from the ownership's rebalance callback: it never waits for a
     * tick (which may be publishing). The next tick forgets the clusters no longer owned, and checks afresh those
     * that come (back).
     */
    public void own(Predicate<String> owns) {
        this.owns = owns;
    }

    /** One pass over the owned clusters' enabled schedules at {@code now}. */
    public synchronized void tick(Clusters topologies, Instant now) {
        Predicate<String> owns = this.owns;
        Set<Key> current = new HashSet<>();
        Set<String> clusters = new HashSet<>();
        for (TopologyApplied t : topologies.all()) {
            if (!owns.test(t.cluster()) || t.spec() == null) {
                continue;
            }
            clusters.add(t.cluster());
            boolean clusterSeen = seenClusters.contains(t.cluster());
            for (ScheduleSpec s : t.spec().schedulesOrNone()) {
                if (!s.enabledOrDefault()) {
                    continue;
                }
                Key key = new Key(t.cluster(), s.name());
                current.add(key);
                boolean added = clusterSeen && !known.contains(key);
                known.add(key);
                try {
                    tick(t, s, key, added, topologies, now);
                } catch (RuntimeException e) {
                    LOG.warnf("schedule %s of %s: %s; tried again at the next tick", s.name(), t.cluster(),
                            e.getMessage());
                }
            }
        }
        handled.keySet().retainAll(current);
        known.retainAll(current);
        seenClusters.clear();
        seenClusters.addAll(clusters);
    }

    private void tick(TopologyApplied t, ScheduleSpec s, Key key, boolean added, Clusters clusters, Instant now) {
        Optional<Instant> lastDue = ScheduleTimes.of(s).lastAtOrBefore(now);
        if (lastDue.isEmpty()) {
            return;
        }
        Instant due = lastDue.get();
        Instant before = handled.get(key);
        if (before != null && !due.isAfter(before)) {
            return;
        }
        String backupId = ScheduleTimes.backupId(s.name(), due);
        List<String> storages = s.storages() == null || s.storages().isEmpty()
                ? (t.main() == null ? List.of() : List.of(t.main())) : s.storages();
        if (before == null && (added || clusters.appliedAt(t.cluster()).map(due::isBefore).orElse(false))) {
            // A schedule added while this instance schedules the cluster, or a due time before the config in force
            // was applied: the schedule's first due time is the next one.
            handled.put(key, due);
            return;
        }
        if (before == null && complete.complete(t, backupId, storages)) {
            // Taken before this instance had the cluster (a previous owner, or this one before a restart).
            handled.put(key, due);
            return;
        }
        Optional<String> restore = clusters.restoreOf(t.cluster());
        OffsetDateTime dueAt = OffsetDateTime.ofInstant(due, ZoneOffset.UTC);
        if (restore.isPresent()) {
            firing.skip(new BackupSkipped(t.cluster(), s.name(), dueAt, backupId, "restore " + restore.get()
                    + " is running: a cluster being restored fires no schedule"));
            LOG.infof("schedule %s of %s: %s skipped, restore %s is running", s.name(), t.cluster(), backupId,
                    restore.get());
        } else {
            firing.fire(new BackupRequested(t.cluster(), s.storages() == null || s.storages().isEmpty() ? null
                    : s.storages(), backupId, s.name(), dueAt));
            LOG.infof("schedule %s of %s: backup %s requested (due %s)", s.name(), t.cluster(), backupId, due);
        }
        handled.put(key, due);
    }
}
