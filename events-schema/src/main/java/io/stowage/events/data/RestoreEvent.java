package io.stowage.events.data;

/** Events on {@code stowage.restore}: restore requests and the restore saga's progress. */
public sealed interface RestoreEvent extends StowageEvent permits RestoreRequested, RestoreStarted, RestoreStep,
        RestoreProgress, RestoreCompleted, RestoreFailed {
}
