package io.stowage.config.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.transactions.KafkaTransactions;
import io.stowage.bus.AtomicPublisher;
import io.stowage.bus.KafkaEvents;
import io.stowage.bus.quarkus.ClientIdentities;
import io.stowage.bus.quarkus.TraceContext;
import io.stowage.events.Envelope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A fan-out as ONE Kafka transaction through SmallRye's {@link KafkaTransactions} on the {@code stowage-transactions}
 * channel (transactional id per instance, see {@link ClientIdentities}). Blocking: never call it on an event loop.
 */
@ApplicationScoped
public class TransactionsEmitterPublisher implements AtomicPublisher {
    public static final String CHANNEL = "stowage-transactions";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final KafkaTransactions<byte[]> transactions;
    private final TraceContext traces;

    @Inject
    TransactionsEmitterPublisher(@Channel(CHANNEL) KafkaTransactions<byte[]> transactions, TraceContext traces) {
        this.transactions = transactions;
        this.traces = traces;
    }

    @Override
    public synchronized void publishAtomically(List<Envelope<?>> events,
                                               List<ProducerRecord<String, byte[]>> stateRecords) {
        // A fan-out nobody asked for on the bus (a config file changed) starts its own trace.
        traces.produce("stowage.fan-out", () -> {
            send(events, stateRecords);
            return null;
        });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void send(List<Envelope<?>> events, List<ProducerRecord<String, byte[]>> stateRecords) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (Envelope<?> event : events) {
            records.add(KafkaEvents.toRecord(traces.stamp((Envelope) event)));
        }
        records.addAll(stateRecords);
        transactions.withTransaction(emitter -> {
            for (ProducerRecord<String, byte[]> r : records) {
                emitter.send(Message.of(r.value()).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withTopic(r.topic()).withKey(r.key()).withHeaders(r.headers()).build()));
            }
            return Uni.createFrom().voidItem();
        }).await().atMost(TIMEOUT);
    }
}
