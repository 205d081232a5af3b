package io.stowage.events;

/** An incoming event that cannot be accepted; the message is the reason given back to its sender. */
public class InvalidEventException extends Exception {
    private final String type;
    private final String id;

    public InvalidEventException(String reason, String type, String id) {
        super(reason);
        this.type = type;
        this.id = id;
    }

    /** The CloudEvents type, when the event got far enough to have one. */
    public String type() {
        return type;
    }

    /** The CloudEvents id, when the event got far enough to have one. */
    public String id() {
        return id;
    }
}
