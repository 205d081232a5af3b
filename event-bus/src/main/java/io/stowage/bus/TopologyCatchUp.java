package io.stowage.bus;

/**
 * Waits until the followed topology holds everything committed so far, so that a request naming a cluster applied a
 * moment ago finds it; false if it could not in time.
 */
@FunctionalInterface
public interface TopologyCatchUp {
    boolean awaitCurrent() throws InterruptedException;

    /** {@link #awaitCurrent()} for a caller that cannot be interrupted: false, the interrupt kept, when it is. */
    default boolean caughtUp() {
        try {
            return awaitCurrent();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
