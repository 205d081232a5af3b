package io.stowage.bus;

import io.stowage.events.Envelope;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Publishes single events with a Kafka producer of its own (idempotent, acks=all): for the CLI, benchmarks and tests.
 * The services publish through their SmallRye emitter instead.
 */
public class KafkaEventPublisher implements EventPublisher, AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;

    public KafkaEventPublisher(KafkaConnection kafka, String clientId) {
        this(kafka.producer(clientId));
    }

    protected KafkaEventPublisher(Map<String, Object> config) {
        this.producer = new KafkaProducer<>(config);
    }

    @Override
    public CompletionStage<Void> publish(Envelope<?> event) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        producer.send(KafkaEvents.toRecord(event), (metadata, failure) -> {
            if (failure == null) {
                sent.complete(null);
            } else {
                sent.completeExceptionally(failure);
            }
        });
        return sent;
    }

    @Override
    public void close() {
        producer.close();
    }

}
