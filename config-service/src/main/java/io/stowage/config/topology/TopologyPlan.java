package io.stowage.config.topology;

import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;

import java.util.List;

/**
 * What applying one cluster's change publishes, as one transaction.
 *
 * @param events  the events in order; without a cause the first is the root that the others are caused by
 * @param next    the topology record to write; null means the cluster is gone (a tombstone)
 * @param overlay what restores added to {@code next} beyond the files; travels with the record
 * @param cause   the restore event this plan answers, or null for a file change
 */
public record TopologyPlan(String cluster, List<StowageEvent> events, TopologyApplied next, RestoreOverlay overlay,
                           Cause cause) {

    /** A file-driven plan: its own correlation, nothing added by restores. */
    public TopologyPlan(String cluster, List<StowageEvent> events, TopologyApplied next) {
        this(cluster, events, next, RestoreOverlay.NONE, null);
    }

    public TopologyPlan withOverlay(RestoreOverlay newOverlay) {
        return new TopologyPlan(cluster, events, next, newOverlay, cause);
    }
}
