package io.stowage.events.data;

/**
 * A running restore is alive: published every few seconds while a restore runs, naming its current step, so that a
 * request delivered to another instance (after a rebalance) waits for it instead of restoring a second time, and a
 * person sees it move.
 *
 * @param step   the step running now (a {@link RestoreStepName}'s wire name)
 * @param detail how far it is, for people (may be null)
 */
public record RestoreProgress(String cluster, String restoreId, String step, String detail) implements RestoreEvent {
}
