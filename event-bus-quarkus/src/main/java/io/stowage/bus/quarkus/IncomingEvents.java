package io.stowage.bus.quarkus;

import io.stowage.bus.KafkaEvents;
import io.stowage.bus.Refusal;
import io.stowage.bus.RejectedEventException;
import io.stowage.bus.Retries;
import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.StowageEvent;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The body of a channel method whose events are handled at once (config-service's, resync-service's): each record
 * decoded, handled in the event's trace span with its correlation id in the log MDC, then acknowledged; bad input
 * and refusals nacked, which the channel's failure strategy answers with {@code event.rejected.v1}; tombstones
 * acknowledged as they pass. A handler that fails otherwise is run again after a pause, as {@link Retries} says (the
 * channel waits: its events stay in order), so the broker or a storage out of reach never turns an event into a
 * rejection.
 */
@ApplicationScoped
public class IncomingEvents {
    private static final Logger LOG = Logger.getLogger(IncomingEvents.class);

    /** What a service does with one valid event. */
    @FunctionalInterface
    public interface Handler {
        /** @throws RejectedEventException when the service refuses it, with the reason its sender gets */
        void handle(Envelope<StowageEvent> event) throws RejectedEventException;
    }

    /**
     * What a service does with one valid event whose handling ends later (a resync queued, a fact held while its
     * storage is resynced): it calls {@code settled} once the event's effect is on the bus, and only then is the
     * record acknowledged, so an instance killed before that leaves it to be delivered again.
     */
    @FunctionalInterface
    public interface SettlingHandler {
        /** @throws RejectedEventException when the service refuses it, with the reason its sender gets */
        void handle(Envelope<StowageEvent> event, Runnable settled) throws RejectedEventException;
    }

    private final TraceContext traces;
    private final Retries retries = Retries.standard();

    IncomingEvents(TraceContext traces) {
        this.traces = traces;
    }

    /** Handles one message of a channel; {@code what} names the handling in its span ("apply", "handle"). */
    public CompletionStage<Void> handle(Message<byte[]> message, String what, Handler handler) {
        return handle(message, what, handler, true);
    }

    private CompletionStage<Void> handle(Message<byte[]> message, String what, Handler handler, boolean ackWhenDone) {
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
                handleWithRetries(event, handler);
            } catch (RejectedEventException e) {
                refused[0] = new Refusal(event.type().type(), event.id(), e.getMessage());
            }
        });
        if (refused[0] != null) {
            return message.nack(refused[0]);
        }
        return ackWhenDone ? message.ack() : java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /**
     * Handles one message of a channel whose handling may end after this returns: the record is acknowledged when the
     * handler calls {@code settled}, not before (the throttled commit strategy commits no offset past it meanwhile).
     */
    public CompletionStage<Void> handleSettlingLater(Message<byte[]> message, String what, SettlingHandler handler) {
        java.util.concurrent.atomic.AtomicBoolean acked = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable settled = () -> {
            if (acked.compareAndSet(false, true)) {
                message.ack();
            }
        };
        return handle(message, what, event -> handler.handle(event, settled), false);
    }

    private void handleWithRetries(Envelope<StowageEvent> event, Handler handler) throws RejectedEventException {
        for (int attempt = 1; ; attempt++) {
            try {
                handler.handle(event);
                return;
            } catch (RuntimeException e) {
                if (!retries.again(e, attempt)) {
                    throw e;
                }
                java.time.Duration pause = retries.pause(attempt);
                LOG.warnf("[%s] %s %s: attempt %d failed (%s); tried again in %d s", event.correlationId(),
                        event.type().type(), event.id(), attempt, e.getMessage(), pause.toSeconds());
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
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
