package io.stowage.bus;

import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.StowageEvent;
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
    /** The correlation each cluster's topology was applied in: a file change's own, or the request it answered. */
    private final Map<String, String> appliedIn = new ConcurrentHashMap<>();
    /** When each cluster's current topology was applied (its event's time). */
    private final Map<String, java.time.Instant> appliedAt = new ConcurrentHashMap<>();

    public Optional<TopologyApplied> get(String cluster) {
        return Optional.ofNullable(byCluster.get(cluster));
    }

    /** The correlation id of the change that made the cluster's current topology (e.g. a restore that placed a storage). */
    public Optional<String> appliedIn(String cluster) {
        return Optional.ofNullable(appliedIn.get(cluster));
    }

    /** When the cluster's current topology was applied, as its event says. */
    public Optional<java.time.Instant> appliedAt(String cluster) {
        return Optional.ofNullable(appliedAt.get(cluster));
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
            appliedIn.remove(record.key());
            appliedAt.remove(record.key());
            return;
        }
        try {
            Envelope<StowageEvent> event = KafkaEvents.fromRecord(record);
            if (event.data() instanceof TopologyApplied t
                    && byCluster.merge(t.cluster(), t, (old, neu) -> neu.revision() >= old.revision() ? neu : old) == t) {
                appliedIn.put(t.cluster(), event.correlationId());
                if (event.time() != null) {
                    appliedAt.put(t.cluster(), event.time().toInstant());
                }
            }
        } catch (InvalidEventException e) {
            LOG.debugf("skipping an invalid topology record at offset %d: %s", record.offset(), e.getMessage());
        }
    }
}
