package io.stowage.restore.steps;

/** A restore step that could not be done: which one, and why. */
public final class StepFailure extends Exception {
    private final String step;

    public StepFailure(String step, String reason, Throwable cause) {
        super(reason, cause);
        this.step = step;
    }

    public StepFailure(String step, String reason) {
        this(step, reason, null);
    }

    public String step() {
        return step;
    }
}
