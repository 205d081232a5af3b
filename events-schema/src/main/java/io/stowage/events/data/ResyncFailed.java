package io.stowage.events.data;

/** A resync of one storage that could not finish; the catalog keeps what it had. */
public record ResyncFailed(String cluster, String storage, String reason) implements ResyncEvent {
}
