package io.stowage.events.data;

/** Asks to rebuild the catalog of one storage ({@code storage}) or of several ({@code scope}); exactly one is set. */
public record ResyncRequested(String cluster, String storage, ResyncScope scope, String reason)
        implements ResyncEvent {
}
