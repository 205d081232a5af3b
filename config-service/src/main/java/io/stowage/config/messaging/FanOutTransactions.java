package io.stowage.config.messaging;

import io.stowage.bus.AtomicPublisher;
import io.stowage.bus.InstanceId;
import io.stowage.config.settings.ConfigServiceSettings;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.TransactionalPublisher;
import io.stowage.bus.quarkus.TraceContext;
import io.stowage.events.Envelope;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.List;

/**
 * The main-change fan-out and its topology record as ONE Kafka transaction: a transactional producer of its own with
 * Quarkus' Kafka settings ({@code kafka.*}) and a transactional id per instance, so a restarted instance fences its
 * predecessor and replicas never fence each other (under leader election, one id for the leader: see below). Not SmallRye's KafkaTransactions: measured slower for this
 * (docs/decisions.md). Each fan-out is a trace of its own (or joins the one current), its events and its topology
 * record stamped with it.
 */
@Singleton
public class FanOutTransactions {
    /** The transactional id of the leader, whichever replica it is. */
    public static final String LEADER_TRANSACTIONAL_ID = "stowage-config-service-leader";

    /** A fan-out publisher that traces what it publishes. */
    public static final class Traced implements AtomicPublisher {
        private final TransactionalPublisher transactions;
        private final TraceContext traces;

        Traced(TransactionalPublisher transactions, TraceContext traces) {
            this.transactions = transactions;
            this.traces = traces;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public void publishAtomically(List<Envelope<?>> events, List<ProducerRecord<String, byte[]>> stateRecords) {
            traces.produce("stowage.fan-out", () -> {
                transactions.publishAtomically(events.stream().<Envelope<?>>map(e -> traces.stamp((Envelope) e))
                        .toList(), stateRecords.stream().map(traces::stamp).toList());
                return null;
            });
        }
    }

    @Produces
    @Singleton
    @Typed(TransactionalPublisher.class) // the services' AtomicPublisher is the traced one below
    TransactionalPublisher transactions(KafkaConnection kafka, InstanceId instance, ConfigServiceSettings settings) {
        // Under leader election every replica uses one transactional id: a new leader fences the old one, so a
        // leader that lost its lease cannot commit anything more.
        return new TransactionalPublisher(kafka, settings.leaderElection().enabled() ? LEADER_TRANSACTIONAL_ID
                : instance.clientId("stowage-config-service", null));
    }

    void close(@Disposes TransactionalPublisher transactions) {
        transactions.close();
    }

    @Produces
    @Singleton
    AtomicPublisher fanOut(TransactionalPublisher transactions, TraceContext traces) {
        return new Traced(transactions, traces);
    }
}
