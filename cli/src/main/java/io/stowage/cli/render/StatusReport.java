package io.stowage.cli.render;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.cli.bus.LastRejections;
import io.stowage.cli.bus.WalStatus;
import io.stowage.events.Envelope;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What {@code stowage status} prints: processes, the broker, applied topologies, WAL archiving, the last rejections. */
public final class StatusReport {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** One process of the local stack: {@code state} is e.g. ready, running (not ready), stopped, not built. */
    public record ProcessRow(String name, String state, String pid, String address) {
    }

    /**
     * What the bus said; all null when the broker was not reachable.
     *
     * @param error why the bus could not be read although the broker answered (e.g. topics missing), or null
     */
    public record BusState(Map<String, BusReader.Read> topologies, LastRejections rejections, WalStatus wal,
                           String error) {
    }

    private StatusReport() {
    }

    /** @param kafka printed as its address and security protocol, never a credential */
    public static List<String> lines(String home, List<ProcessRow> processes, KafkaConnection kafka, boolean reachable,
                                     BusState bus, ZoneId zone) {
        List<String> out = new ArrayList<>();
        out.add("Local stack (state in " + home + ")");
        Table table = new Table("PROCESS", "STATE", "PID", "ADDRESS");
        processes.forEach(p -> table.row(p.name(), p.state(), p.pid(), p.address()));
        table.lines().forEach(l -> out.add("  " + l));
        out.add("");
        if (!reachable) {
            out.add("Kafka at " + kafka + ": not reachable. The stack is down (`stowage up` starts it),");
            out.add("or --kafka or --kafka-config points elsewhere. Topologies and rejections live on the bus: not shown.");
            return out;
        }
        out.add("Kafka at " + kafka + ": reachable");
        if (bus.error() != null) {
            out.add("  " + bus.error());
            return out;
        }
        out.add("");
        out.add("Applied topologies (stowage.topology)");
        if (bus.topologies().isEmpty()) {
            out.add("  none yet: put a BackupConfig in the config folder, or try `stowage demo`");
        } else {
            TopologyTable.clusters(bus.topologies()).forEach(l -> out.add("  " + l));
        }
        out.add("");
        if (bus.wal() != null) {
            out.addAll(WalStatusLines.lines(bus.wal(), zone));
            out.add("");
        }
        out.add("Last rejections");
        out.add("  config: " + rejection(bus.rejections().config(), zone));
        out.add("  event:  " + rejection(bus.rejections().event(), zone));
        return out;
    }

    private static String rejection(Optional<BusReader.Read> read, ZoneId zone) {
        if (read.isEmpty()) {
            return "none";
        }
        Envelope<?> e = read.get().event();
        return TIME.format(e.time().atZoneSameInstant(zone)) + "  " + (e.subject() == null ? "-" : Text.clean(e.subject()))
                + "  " + Text.clean(EventSummary.of(e.data()));
    }
}
