package io.stowage.restore.steps;

import io.stowage.events.data.RestoreStepName;

/** A restore step that could not be done: which one, and why. */
public final class StepFailure extends Exception {
    private final RestoreStepName step;

    public StepFailure(RestoreStepName step, String reason, Throwable cause) {
        super(reason, cause);
        this.step = step;
    }

    public StepFailure(RestoreStepName step, String reason) {
        this(step, reason, null);
    }

    public RestoreStepName step() {
        return step;
    }
}
