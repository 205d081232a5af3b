package io.stowage.events.data;

/**
 * Asks resync-service to apply a cluster's retention now, on every storage that has one (it applies it after each
 * completed backup anyway). Answered by {@code retention.completed.v1} or {@code retention.failed.v1}.
 *
 * @param reason why it is asked, for people (may be null)
 */
public record RetentionRequested(String cluster, String reason) implements ResyncEvent {
}
