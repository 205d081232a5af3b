package io.stowage.restore.messaging;

import io.stowage.bus.EventHandler;
import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.StowageEvent;
import io.stowage.restore.service.RestoreSaga;

/**
 * restore-service's consumer of {@code stowage.restore}: each {@code restore.requested.v1} goes to the restore saga
 * (the topic's other events are followed by {@link RestoreLog}). Requests are handled one at a time, in the
 * consumer's thread; the request's offset is committed only once the restore has ended, so a restore-service killed
 * mid-restore runs the same restore again when it comes back (or another instance does).
 */
public final class RestoreRequestHandler implements EventHandler {
    private final RestoreSaga saga;

    public RestoreRequestHandler(RestoreSaga saga) {
        this.saga = saga;
    }

    @Override
    public void handle(Envelope<StowageEvent> event) {
        if (event.data() instanceof RestoreRequested r) {
            try {
                saga.handle(new Envelope<>(event.id(), event.source(), event.type(), event.time(), event.subject(),
                        event.correlationId(), event.causationId(), r));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
