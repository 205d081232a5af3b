package io.stowage.bus;

import io.stowage.events.Envelope;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Publishes single events (idempotent producer, acks=all): outcomes, progress, rejections. */
public class EventPublisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;

    public EventPublisher(KafkaConnection kafka, String clientId) {
        this(kafka.producer(clientId));
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

}
