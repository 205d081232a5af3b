package io.stowage.bus;

import io.stowage.events.Envelope;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Publishes single events (idempotent producer, acks=all): outcomes, progress, rejections. */
public class EventPublisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;

    public EventPublisher(String bootstrapServers, String clientId) {
        this(producerConfig(bootstrapServers, clientId));
    }

    protected EventPublisher(Map<String, Object> config) {
        this.producer = new KafkaProducer<>(config);
    }

    /** Sends without waiting; the future completes when the broker has it. */
    public Future<RecordMetadata> publish(Envelope<?> event) {
        return producer.send(KafkaEvents.toRecord(event));
    }

    /** Sends and waits for the broker's acknowledgement. */
    public RecordMetadata publishAndWait(Envelope<?> event) {
        try {
            return publish(event).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing " + event.type().type(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not publish " + event.type().type() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }

    static Map<String, Object> producerConfig(String bootstrapServers, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }
}
