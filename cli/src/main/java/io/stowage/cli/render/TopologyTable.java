package io.stowage.cli.render;

import io.stowage.bus.BusReader;
import io.stowage.cli.topology.StorageRole;
import io.stowage.cli.topology.StorageRow;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.StorageSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Applied topologies as tables: every cluster's main and profiles ({@code status}), one cluster's storages ({@code storage list}). */
public final class TopologyTable {
    private TopologyTable() {
    }

    /** One row per storage, the cluster and its revision on its first row; invalid records say why. */
    public static List<String> clusters(Map<String, BusReader.Read> byCluster) {
        Table table = new Table("CLUSTER", "REVISION", "ROLE", "STORAGE", "LOCATION");
        byCluster.forEach((cluster, read) -> {
            if (!read.valid() || !(read.event().data() instanceof TopologyApplied t)) {
                table.row(cluster, "-", "INVALID", "-", read.valid() ? "not a topology record" : read.invalidReason());
                return;
            }
            List<String> storages = new ArrayList<>();
            if (t.main() != null) {
                storages.add(t.main());
            }
            if (t.profiles() != null) {
                storages.addAll(t.profiles());
            }
            if (storages.isEmpty()) {
                table.row(cluster, Long.toString(t.revision()), "-", "-", "no storage");
            }
            boolean first = true;
            for (String storage : storages) {
                table.row(first ? cluster : "", first ? Long.toString(t.revision()) : "",
                        StorageRole.of(t, storage).label(), storage, location(t, storage));
                first = false;
            }
        });
        return table.lines();
    }

    /** {@code storage list}: name, role, type, secret-free location, and since which revision the role holds. */
    public static List<String> storages(List<StorageRow> rows) {
        Table table = new Table("NAME", "ROLE", "TYPE", "LOCATION", "SINCE");
        rows.forEach(r -> table.row(r.name(), r.role().label(), r.type(), r.location(), r.since().describe()));
        return table.lines();
    }

    static String location(TopologyApplied t, String storage) {
        StorageSpec spec = t.spec() == null || t.spec().storages() == null ? null : t.spec().storages().get(storage);
        return spec == null ? "?" : spec.location(t.cluster()).describe();
    }
}
