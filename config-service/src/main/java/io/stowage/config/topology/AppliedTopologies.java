package io.stowage.config.topology;

import io.stowage.events.data.TopologyApplied;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The topology in force per cluster: what was last committed to {@code stowage.topology}. */
public final class AppliedTopologies {
    private final Map<String, TopologyApplied> byCluster = new ConcurrentHashMap<>();

    public Optional<TopologyApplied> get(String cluster) {
        return Optional.ofNullable(byCluster.get(cluster));
    }

    public Map<String, TopologyApplied> all() {
        return Map.copyOf(byCluster);
    }

    /** Records a committed topology; an older revision (a late or replayed record) never replaces a newer one. */
    public void put(TopologyApplied topology) {
        byCluster.merge(topology.cluster(), topology, (old, neu) -> neu.revision() >= old.revision() ? neu : old);
    }

    public void remove(String cluster) {
        byCluster.remove(cluster);
    }
}
