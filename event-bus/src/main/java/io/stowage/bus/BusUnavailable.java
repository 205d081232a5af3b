package io.stowage.bus;

/**
 * The broker did not take an event in time (unreachable, no leader, a quota): a transient failure. What failed on it
 * is retried, never answered as bad input.
 */
public class BusUnavailable extends IllegalStateException {
    public BusUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
