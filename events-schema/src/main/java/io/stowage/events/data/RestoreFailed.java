package io.stowage.events.data;

/** A restore that stopped; it can be requested again. */
public record RestoreFailed(String cluster, String restoreId, String step, String reason) implements RestoreEvent {
}
