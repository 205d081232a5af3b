package io.stowage.resync.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import io.stowage.bus.quarkus.IncomingEvents;
import io.stowage.resync.ResyncService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.concurrent.CompletionStage;

/**
 * The {@code resync-inputs} channel (group {@code stowage-resync-service}): resync requests from
 * {@code stowage.resync}, completed backups and archived WAL from {@code stowage.backup}, added profiles from
 * {@code stowage.storage}, handled one at a time in order (each is quick: a catalog write, or a resync queued).
 * A record is acknowledged once its effect is on the bus (a resync answered, a fact in the catalog); bad input is
 * nacked, and the failure strategy answers it with
 * {@code event.rejected.v1}.
 */
@ApplicationScoped
public class ResyncInputsChannel {
    public static final String CHANNEL = "resync-inputs";

    private final ResyncService service;
    private final ResyncEventHandler handler;
    private final IncomingEvents events;

    ResyncInputsChannel(ResyncService service, ResyncEventHandler handler, IncomingEvents events) {
        this.service = service;
        this.handler = handler;
        this.events = events;
    }

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> message) {
        // Acknowledged once settled: a resync's outcome published, a fact written (maybe after its storage's
        // resync), so a kill loses neither; the throttled strategy commits no offset past it meanwhile.
        return events.handleSettlingLater(message, "handle", (event, settled) -> {
            // The channel may deliver before startup has finished: nothing is handled before the state is read.
            service.awaitStarted();
            handler.handle(event, settled);
        });
    }
}
