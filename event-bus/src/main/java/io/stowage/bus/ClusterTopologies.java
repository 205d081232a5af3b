package io.stowage.bus;

import io.stowage.events.InvalidEventException;
import io.stowage.events.data.TopologyApplied;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The applied topology of every cluster, as followed on {@code stowage.topology}: how this service learns clusters. */
public final class ClusterTopologies {
    private static final Logger LOG = Logger.getLogger(ClusterTopologies.class);

    private final Map<String, TopologyApplied> byCluster = new ConcurrentHashMap<>();

    public Optional<TopologyApplied> get(String cluster) {
        return Optional.ofNullable(byCluster.get(cluster));
    }

    /** Every cluster's topology, as followed so far. */
    public java.util.Collection<TopologyApplied> all() {
        return java.util.List.copyOf(byCluster.values());
    }

    public int size() {
        return byCluster.size();
    }

    /** Applies one record of the topic; invalid ones are config-service's to reject, here they are skipped. */
    public void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            byCluster.remove(record.key());
            return;
        }
        try {
            if (KafkaEvents.fromRecord(record).data() instanceof TopologyApplied t) {
                byCluster.merge(t.cluster(), t, (old, neu) -> neu.revision() >= old.revision() ? neu : old);
            }
        } catch (InvalidEventException e) {
            LOG.debugf("skipping an invalid topology record at offset %d: %s", record.offset(), e.getMessage());
        }
    }
}
