package io.stowage.cli.topology;

import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.StorageSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A cluster's storages with their roles and since which revision they hold them, from the applied topologies
 * left on the compacted topic (oldest first; the last one is in force).
 */
public final class RoleHistory {
    private RoleHistory() {
    }

    /** The main first, then the profiles in their order; empty when there is no history. */
    public static List<StorageRow> rows(String cluster, List<TopologyApplied> history) {
        if (history.isEmpty()) {
            return List.of();
        }
        TopologyApplied current = history.get(history.size() - 1);
        List<String> names = Stream.concat(Stream.ofNullable(current.main()),
                current.profiles() == null ? Stream.empty() : current.profiles().stream()).toList();
        List<StorageRow> rows = new ArrayList<>();
        for (String name : names) {
            StorageSpec spec = current.spec() == null || current.spec().storages() == null ? null
                    : current.spec().storages().get(name);
            rows.add(new StorageRow(name, StorageRole.of(current, name),
                    spec == null || spec.type() == null ? "?" : spec.type().wireName(),
                    spec == null ? "?" : spec.location(cluster).describe(),
                    since(name, history)));
        }
        return rows;
    }

    /**
     * Walks back while the role stays the same. The start of that run is exact when the revision just before it
     * is there with another role, or when the run reaches back to the first revision.
     */
    static Since since(String storage, List<TopologyApplied> history) {
        int i = history.size() - 1;
        StorageRole role = StorageRole.of(history.get(i), storage);
        while (i > 0 && StorageRole.of(history.get(i - 1), storage) == role) {
            i--;
        }
        long revision = history.get(i).revision();
        if (i == 0) {
            return new Since(revision, revision <= 1);
        }
        return new Since(revision, history.get(i - 1).revision() == revision - 1);
    }
}
