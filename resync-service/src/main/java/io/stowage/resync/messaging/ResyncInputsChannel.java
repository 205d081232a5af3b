package io.stowage.resync.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import io.stowage.bus.KafkaEvents;
import io.stowage.bus.Refusal;
import io.stowage.bus.RejectedEventException;
import io.stowage.bus.quarkus.IncomingRecords;
import io.stowage.bus.quarkus.TraceContext;
import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.StowageEvent;
import io.stowage.resync.ResyncService;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.concurrent.CompletionStage;

/**
 * The {@code resync-inputs} channel (group {@code stowage-resync-service}): resync requests from
 * {@code stowage.resync}, completed backups and archived WAL from {@code stowage.backup}, added profiles from
 * {@code stowage.storage}, handled one at a time in order (each is quick: a catalog write, or a resync queued).
 * A record is acknowledged once handled; bad input is nacked, and the failure strategy answers it with
 * {@code event.rejected.v1}.
 */
@ApplicationScoped
public class ResyncInputsChannel {
    public static final String CHANNEL = "resync-inputs";

    private final ResyncService service;
    private final ResyncEventHandler handler;
    private final TraceContext traces;

    ResyncInputsChannel(ResyncService service, ResyncEventHandler handler, TraceContext traces) {
        this.service = service;
        this.handler = handler;
        this.traces = traces;
    }

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> message) {
        ConsumerRecord<String, byte[]> record = IncomingRecords.of(message);
        if (record.value() == null) {
            return message.ack();
        }
        Envelope<StowageEvent> event;
        try {
            event = KafkaEvents.fromRecord(record);
        } catch (InvalidEventException e) {
            return message.nack(Refusal.of(e));
        }
        Refusal[] refused = {null};
        traces.handle(event, "handle", () -> {
            try {
                // The channel may deliver before startup has finished: nothing is handled before the state is read.
                service.awaitStarted();
                handler.handle(event);
            } catch (RejectedEventException e) {
                refused[0] = new Refusal(event.type().type(), event.id(), e.getMessage());
            }
        });
        return refused[0] == null ? message.ack() : message.nack(refused[0]);
    }
}
