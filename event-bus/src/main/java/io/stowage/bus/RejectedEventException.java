package io.stowage.bus;

/** A valid event that a service refuses for a domain reason (unknown cluster, unknown storage...). */
public class RejectedEventException extends Exception {
    public RejectedEventException(String reason) {
        super(reason);
    }
}
