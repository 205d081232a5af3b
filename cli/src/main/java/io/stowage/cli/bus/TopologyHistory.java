package io.stowage.cli.bus;

import io.stowage.bus.KafkaConnection;
import io.stowage.events.Topics;
import io.stowage.events.data.TopologyApplied;

import java.util.ArrayList;
import java.util.List;

/**
 * Every applied topology of one cluster still on {@code stowage.topology}, oldest first. The topic is compacted,
 * so older revisions may be gone; what is left tells since when each storage holds its role.
 */
public final class TopologyHistory {
    private TopologyHistory() {
    }

    public static List<TopologyApplied> of(KafkaConnection kafka, String cluster) {
        List<TopologyApplied> history = new ArrayList<>();
        // One key lives on one partition, so offset order is the order config-service applied them in.
        TopicScan.scan(kafka, Topics.TOPOLOGY, TopicScan.DEFAULT_TIMEOUT, read -> {
            if (!cluster.equals(read.record().key())) {
                return;
            }
            if (read.record().value() == null) {
                history.clear(); // a tombstone: the cluster was removed, what came before is another life
            } else if (read.valid() && read.event().data() instanceof TopologyApplied applied) {
                history.add(applied);
            }
        });
        return history;
    }
}
