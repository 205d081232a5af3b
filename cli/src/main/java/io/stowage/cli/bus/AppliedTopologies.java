package io.stowage.cli.bus;

import io.stowage.bus.BusReader;
import io.stowage.bus.CompactedTopicReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.events.Topics;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** The topology in force per cluster: the latest record of each key on the compacted {@code stowage.topology}. */
public final class AppliedTopologies {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private AppliedTopologies() {
    }

    /** Each cluster's latest topology record, decoded (or with the reason it is invalid), by cluster name. */
    public static Map<String, BusReader.Read> read(KafkaConnection kafka) {
        try {
            Map<String, BusReader.Read> byCluster = new TreeMap<>();
            CompactedTopicReader.readLatest(kafka, Topics.TOPOLOGY, TIMEOUT)
                    .forEach((cluster, record) -> byCluster.put(cluster, BusReader.decode(record)));
            return byCluster;
        } catch (IllegalStateException e) {
            throw new CliFailure("cannot read " + Topics.TOPOLOGY + " on " + kafka + ": " + e.getMessage()
                    + " (`stowage up` creates the topics)", e);
        }
    }
}
