package io.stowage.bus.quarkus;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;

/** The Kafka record under a message of an incoming channel, as the event codec reads it. */
public final class IncomingRecords {
    private IncomingRecords() {
    }

    @SuppressWarnings("unchecked")
    public static ConsumerRecord<String, byte[]> of(Message<?> message) {
        return (ConsumerRecord<String, byte[]>) message.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalArgumentException("not a message of a Kafka channel"))
                .getRecord();
    }
}
