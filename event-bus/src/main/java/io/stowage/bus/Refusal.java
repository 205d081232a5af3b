package io.stowage.bus;

import io.stowage.events.InvalidEventException;

/**
 * Why a record of an incoming channel is refused: not a valid event, or a valid one this service will not act on. It
 * travels as the reason of the record's negative acknowledgement, and the channel's failure strategy answers it with
 * {@code event.rejected.v1}.
 */
public final class Refusal extends RuntimeException {
    private final String type;
    private final String id;

    public Refusal(String type, String id, String reason) {
        super(reason, null, false, false);
        this.type = type;
        this.id = id;
    }

    public static Refusal of(InvalidEventException invalid) {
        return new Refusal(invalid.type(), invalid.id(), invalid.getMessage());
    }

    /** The event's type, when the record got that far. */
    public String type() {
        return type;
    }

    /** The event's id, when the record got that far. */
    public String id() {
        return id;
    }
}
