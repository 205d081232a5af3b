package io.stowage.config.topology;

import io.stowage.events.data.TopologyApplied;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The topology in force per cluster: what was last committed to {@code stowage.topology}, with what restores
 * added to it beyond the files.
 */
public final class AppliedTopologies {
    private final Map<String, TopologyApplied> byCluster = new ConcurrentHashMap<>();
    private final Map<String, RestoreOverlay> overlays = new ConcurrentHashMap<>();

    public Optional<TopologyApplied> get(String cluster) {
        return Optional.ofNullable(byCluster.get(cluster));
    }

    /** What restores added to the cluster's topology ({@link RestoreOverlay#NONE} when nothing). */
    public RestoreOverlay overlay(String cluster) {
        return overlays.getOrDefault(cluster, RestoreOverlay.NONE);
    }

    public Map<String, TopologyApplied> all() {
        return Map.copyOf(byCluster);
    }

    /** Records a committed topology; an older revision (a late or replayed record) never replaces a newer one. */
    public void put(TopologyApplied topology) {
        byCluster.merge(topology.cluster(), topology, (old, neu) -> neu.revision() >= old.revision() ? neu : old);
    }

    /** Records a committed topology with the overlay it was written with. */
    public synchronized void put(TopologyApplied topology, RestoreOverlay overlay) {
        put(topology);
        if (byCluster.get(topology.cluster()) == topology) {
            if (overlay.isEmpty()) {
                overlays.remove(topology.cluster());
            } else {
                overlays.put(topology.cluster(), overlay);
            }
        }
    }

    public void remove(String cluster) {
        byCluster.remove(cluster);
        overlays.remove(cluster);
    }
}
