package io.stowage.config.messaging;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.CompactedTopicReader;
import io.stowage.bus.KafkaEvents;
import io.stowage.config.topology.AppliedTopologies;
import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.Topics;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;

/**
 * Keeps the applied topology in step with {@code stowage.topology}: read whole at start (so a restart publishes
 * nothing twice, and what restores added is recovered from each record's {@link RestoreOverlayHeader}), then
 * followed, adopting only newer revisions.
 */
public class TopologyFollower {
    private static final Logger LOG = Logger.getLogger(TopologyFollower.class);

    private final AppliedTopologies applied;

    public TopologyFollower(AppliedTopologies applied) {
        this.applied = applied;
    }

    /** Rebuilds the applied topology from the compacted topic; returns how many clusters it holds. */
    public int recover(io.stowage.bus.KafkaConnection kafka, Duration timeout) {
        Map<String, ConsumerRecord<String, byte[]>> latest =
                CompactedTopicReader.readLatest(kafka, Topics.TOPOLOGY, timeout);
        for (ConsumerRecord<String, byte[]> record : latest.values()) {
            try {
                Envelope<StowageEvent> event = KafkaEvents.fromRecord(record);
                if (event.data() instanceof TopologyApplied t) {
                    applied.put(t, RestoreOverlayHeader.read(record.headers()));
                }
            } catch (InvalidEventException e) {
                // The follower's consumer group rejects it once, with the reason; recovery just skips it.
                LOG.warnf("skipping an invalid topology record %s-%d@%d: %s", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
            }
        }
        return applied.all().size();
    }

    public void handle(Envelope<StowageEvent> event) {
        if (event.data() instanceof TopologyApplied t) {
            applied.put(t);
        }
    }
}
