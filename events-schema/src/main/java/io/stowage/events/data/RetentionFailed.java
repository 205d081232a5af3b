package io.stowage.events.data;

/**
 * A cluster's retention could not be applied (a storage did not answer, say). What was removed before the failure is
 * reported as removed; a backup being removed is never listed as complete, and the next run finishes it.
 */
public record RetentionFailed(String cluster, String reason) implements ResyncEvent {
}
