package io.stowage.events.data;

/** A resync of one storage finished: what it found and changed, and how long it took. */
public record ResyncCompleted(
        String cluster,
        String storage,
        int found,
        int added,
        int removed,
        int incomplete,
        long durationMs) implements ResyncEvent {
}
