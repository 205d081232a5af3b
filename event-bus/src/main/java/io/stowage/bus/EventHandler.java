package io.stowage.bus;

import io.stowage.events.Envelope;
import io.stowage.events.data.StowageEvent;

/** What a service does with one valid incoming event. */
@FunctionalInterface
public interface EventHandler {
    /**
     * Handles one event; it may be a redelivery, so handlers are idempotent.
     *
     * @throws RejectedEventException when the event is well-formed but cannot be accepted (the reason goes back to
     *                                its sender as {@code event.rejected.v1})
     */
    void handle(Envelope<StowageEvent> event) throws RejectedEventException;

    /** Called with a tombstone (null value) on a compacted topic; most handlers ignore it. */
    default void handleTombstone(String key) {
    }
}
