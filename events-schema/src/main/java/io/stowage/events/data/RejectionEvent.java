package io.stowage.events.data;

/** Events on {@code stowage.rejected}: input a consumer refused, and why. */
public sealed interface RejectionEvent extends StowageEvent permits EventRejected {
}
