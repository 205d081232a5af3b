package io.stowage.restore.steps;

import io.stowage.events.data.RestoreStepStatus;

/** What one restore step did: its work, saying what was done, or nothing, saying why. */
public sealed interface StepResult {

    /** How the step's end is published: COMPLETED or SKIPPED. */
    RestoreStepStatus status();

    /** The ending event's detail, for people. */
    String detail();

    /** The step did its work; {@code detail} says what. */
    record Done(String detail) implements StepResult {
        @Override
        public RestoreStepStatus status() {
            return RestoreStepStatus.COMPLETED;
        }
    }

    /** The step had nothing to do: {@code why} (most often, an earlier run of the restore did it). */
    record Skipped(String why) implements StepResult {
        @Override
        public RestoreStepStatus status() {
            return RestoreStepStatus.SKIPPED;
        }

        @Override
        public String detail() {
            return why;
        }
    }
}
