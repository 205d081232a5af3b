package io.stowage.cli.render;

import io.stowage.cli.topology.RoleHistory;
import io.stowage.events.data.TopologyApplied;

import java.util.ArrayList;
import java.util.List;

/** What {@code stowage storage list} prints: the revision in force, then one row per storage (main first). */
public final class StorageListReport {
    private StorageListReport() {
    }

    /** @param history the cluster's applied topologies, oldest first; not empty */
    public static List<String> lines(String cluster, List<TopologyApplied> history) {
        TopologyApplied current = history.get(history.size() - 1);
        List<String> out = new ArrayList<>();
        out.add("Cluster " + Text.clean(cluster) + ": revision " + current.revision()
                + (current.source() == null ? "" : ", from " + Text.clean(current.source())));
        out.addAll(TopologyTable.storages(RoleHistory.rows(cluster, history)));
        return out;
    }
}
