package io.stowage.events.data;

/** Events on {@code stowage.resync}: catalog resync requests and outcomes, retention requests and outcomes. */
public sealed interface ResyncEvent extends StowageEvent permits ResyncRequested, ResyncCompleted, ResyncFailed,
        RetentionRequested, RetentionCompleted, RetentionFailed {
}
