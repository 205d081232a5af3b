package io.stowage.bus.quarkus;

import io.stowage.bus.KafkaEvents;
import io.stowage.bus.Refusal;
import io.stowage.bus.RejectedEventException;
import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.StowageEvent;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The body of a channel method whose events are handled at once (config-service's, resync-service's): each record
 * decoded, handled in the event's trace span with its correlation id in the log MDC, then acknowledged; bad input
 * and refusals nacked, which the channel's failure strategy answers with {@code event.rejected.v1}; tombstones
 * acknowledged as they pass.
 */
@ApplicationScoped
public class IncomingEvents {

    /** What a service does with one valid event. */
    @FunctionalInterface
    public interface Handler {
        /** @throws RejectedEventException when the service refuses it, with the reason its sender gets */
        void handle(Envelope<StowageEvent> event) throws RejectedEventException;
    }

    private final TraceContext traces;

    IncomingEvents(TraceContext traces) {
        this.traces = traces;
    }

    /** Handles one message of a channel; {@code what} names the handling in its span ("apply", "handle"). */
    public CompletionStage<Void> handle(Message<byte[]> message, String what, Handler handler) {
        Optional<Envelope<StowageEvent>> decoded;
        try {
            decoded = decode(message);
        } catch (Refusal refusal) {
            return message.nack(refusal);
        }
        if (decoded.isEmpty()) {
            return message.ack();
        }
        Envelope<StowageEvent> event = decoded.get();
        Refusal[] refused = {null};
        traces.handle(event, what, () -> {
            try {
                handler.handle(event);
            } catch (RejectedEventException e) {
                refused[0] = new Refusal(event.type().type(), event.id(), e.getMessage());
            }
        });
        return refused[0] == null ? message.ack() : message.nack(refused[0]);
    }

    /**
     * The event under a channel's message; empty for a tombstone.
     *
     * @throws Refusal when the record is not a valid event, with the reason
     */
    public static Optional<Envelope<StowageEvent>> decode(Message<?> message) {
        ConsumerRecord<String, byte[]> record = IncomingRecords.of(message);
        if (record.value() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(KafkaEvents.fromRecord(record));
        } catch (InvalidEventException e) {
            throw Refusal.of(e);
        }
    }
}
