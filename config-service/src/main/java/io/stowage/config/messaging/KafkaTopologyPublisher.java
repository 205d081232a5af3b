package io.stowage.config.messaging;

import io.stowage.bus.EventPublisher;
import io.stowage.bus.KafkaEvents;
import io.stowage.bus.AtomicPublisher;
import io.stowage.config.model.ConfigProblem;
import io.stowage.config.topology.Cause;
import io.stowage.config.topology.TopologyPlan;
import io.stowage.config.topology.TopologyPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.ConfigRejected;
import io.stowage.events.data.StowageEvent;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Publishes a plan as ONE Kafka transaction: its events (all in one correlation) and the cluster's new
 * {@code stowage.topology} record (or its tombstone).
 */
public class KafkaTopologyPublisher implements TopologyPublisher {
    private static final Logger LOG = Logger.getLogger(KafkaTopologyPublisher.class);

    private final AtomicPublisher transactions;
    private final EventPublisher events;
    private final String source;

    public KafkaTopologyPublisher(AtomicPublisher transactions, EventPublisher events, String source) {
        this.transactions = transactions;
        this.events = events;
        this.source = source;
    }

    @Override
    public void publish(TopologyPlan plan) {
        publishAll(List.of(plan));
    }

    /**
     * Every plan's events and topology record in one transaction: a plan's records stay together and in order on
     * its cluster's partitions (the events, then the topology record or its tombstone).
     */
    @Override
    public void publishAll(List<TopologyPlan> plans) {
        List<Envelope<?>> events = new ArrayList<>();
        List<ProducerRecord<String, byte[]>> state = new ArrayList<>();
        List<List<Envelope<?>>> published = new ArrayList<>();
        for (TopologyPlan plan : plans) {
            List<Envelope<?>> envelopes = envelopes(plan);
            published.add(envelopes);
            List<Envelope<?>> own = new ArrayList<>(envelopes);
            if (plan.next() == null) {
                state.add(new ProducerRecord<>(Topics.TOPOLOGY, plan.cluster(), null));
            } else {
                // The topology record goes last, as before, with what restores added beyond the files beside it.
                ProducerRecord<String, byte[]> record = KafkaEvents.toRecord(own.remove(own.size() - 1));
                RestoreOverlayHeader.write(plan.overlay(), record.headers());
                state.add(record);
            }
            events.addAll(own);
        }
        transactions.publishAtomically(events, state);
        for (int i = 0; i < plans.size(); i++) {
            LOG.infof("[%s] cluster %s: published %s", published.get(i).get(0).correlationId(),
                    plans.get(i).cluster(), summary(published.get(i)));
        }
    }

    /**
     * The plan's events as envelopes, then the topology record. A file change is its own correlation: one root, the
     * rest caused by it. A plan that answers an event (a restore) joins its correlation, every record caused by it.
     */
    List<Envelope<?>> envelopes(TopologyPlan plan) {
        List<Envelope<?>> out = new ArrayList<>();
        List<StowageEvent> all = new ArrayList<>(plan.events());
        if (plan.next() != null) {
            all.add(plan.next());
        }
        Cause cause = plan.cause();
        Envelope<?> root = null;
        for (StowageEvent data : all) {
            Envelope<?> e;
            if (cause != null) {
                e = Envelope.inCorrelation(cause.correlationId(), cause.causationId(), source, data);
            } else {
                e = root == null ? Envelope.root(source, data) : Envelope.causedBy(root, source, data);
                root = root == null ? e : root;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public void reject(ConfigProblem problem, Cause cause) {
        ConfigRejected data = new ConfigRejected(problem.cluster(), problem.source(), problem.document(),
                problem.field(), problem.reason());
        events.publishAndWait(cause == null ? Envelope.root(source, data)
                : Envelope.inCorrelation(cause.correlationId(), cause.causationId(), source, data));
    }

    private static String summary(List<Envelope<?>> envelopes) {
        List<String> parts = new ArrayList<>();
        for (Envelope<?> e : envelopes) {
            String name = e.type().type().replace("io.stowage.", "").replace(".v1", "");
            if (e.data() instanceof io.stowage.events.data.StorageChanged c) {
                name += " " + c.change() + " " + c.storage();
            }
            parts.add(name);
        }
        return String.join(", ", parts);
    }

}
