package io.stowage.cli;

/** A failure the user can act on: its message is printed as is, without a stack trace, and the command exits 1. */
public class CliFailure extends RuntimeException {
    public CliFailure(String message) {
        super(message);
    }

    public CliFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
