package io.stowage.config.topology;

import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;

import java.util.List;

/**
 * What applying one cluster's desired config publishes, as one transaction.
 *
 * @param events the events in order; the first is the root that the others are caused by
 * @param next   the topology record to write; null means the cluster is gone (a tombstone)
 */
public record TopologyPlan(String cluster, List<StowageEvent> events, TopologyApplied next) {
}
