package io.stowage.bus.quarkus;

import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.KafkaEvents;
import io.stowage.events.Envelope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.concurrent.CompletionStage;

/**
 * How a service publishes its events: through its {@code stowage-events} emitter, one channel for every topic (each
 * message names its own topic, key and CloudEvents headers). The stage completes once the broker has the event.
 */
@ApplicationScoped
public class EmitterEventPublisher implements EventPublisher {
    public static final String CHANNEL = "stowage-events";

    private final MutinyEmitter<byte[]> emitter;
    private final TraceContext traces;

    @Inject
    EmitterEventPublisher(@Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
                          MutinyEmitter<byte[]> emitter, TraceContext traces) {
        this.emitter = emitter;
        this.traces = traces;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CompletionStage<Void> publish(Envelope<?> event) {
        ProducerRecord<String, byte[]> record = KafkaEvents.toRecord(traces.stamp((Envelope) event));
        OutgoingKafkaRecordMetadata<String> where = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(record.topic()).withKey(record.key()).withHeaders(record.headers()).build();
        return emitter.sendMessage(Message.of(record.value()).addMetadata(where)).subscribeAsCompletionStage();
    }
}
