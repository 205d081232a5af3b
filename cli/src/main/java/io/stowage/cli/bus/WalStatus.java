package io.stowage.cli.bus;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.WalArchived;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Per cluster, the newest archived WAL segment and the newest lag report ({@code wal.lag.v1}) on the bus. */
public record WalStatus(Map<String, Cluster> clusters) {

    /** One cluster's newest WAL events. */
    public record Cluster(Optional<BusReader.Read> lastArchived, Optional<BusReader.Read> lastLag) {
    }

    /** Scans {@code stowage.backup} to its end: fine for a local stack; a long-lived cluster would keep a summary. */
    public static WalStatus read(KafkaConnection kafka) {
        Map<String, BusReader.Read> archived = new TreeMap<>();
        Map<String, BusReader.Read> lags = new TreeMap<>();
        TopicScan.scan(kafka, Topics.BACKUP, TopicScan.DEFAULT_TIMEOUT, read -> {
            if (!read.valid()) {
                return;
            }
            if (read.event().type() == EventType.WAL_ARCHIVED && read.event().data() instanceof WalArchived a
                    && a.segment().length() == 24) {
                archived.merge(a.cluster(), read, WalStatus::newer);
            } else if (read.event().type() == EventType.WAL_LAG) {
                lags.merge(read.event().data().cluster(), read, WalStatus::newer);
            }
        });
        Map<String, Cluster> clusters = new TreeMap<>();
        archived.keySet().forEach(c -> clusters.put(c, null));
        lags.keySet().forEach(c -> clusters.put(c, null));
        clusters.replaceAll((c, ignored) -> new Cluster(Optional.ofNullable(archived.get(c)),
                Optional.ofNullable(lags.get(c))));
        return new WalStatus(clusters);
    }

    private static BusReader.Read newer(BusReader.Read a, BusReader.Read b) {
        return LastRejections.AGE.compare(b, a) >= 0 ? b : a;
    }
}
