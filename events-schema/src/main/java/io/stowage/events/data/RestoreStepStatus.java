package io.stowage.events.data;

import java.util.Arrays;
import java.util.Optional;

/** Where a restore step is, as {@code restore.step.v1}'s {@code status} says it (the schema's closed list). */
public enum RestoreStepStatus {
    STARTED,
    COMPLETED,
    /** Not done by this run: what it does is done already (most often by an earlier run of the same restore). */
    SKIPPED;

    /** The status as events carry it. */
    public String wireName() {
        return name();
    }

    /** The status a wire name stands for; empty for one the schema does not allow. */
    public static Optional<RestoreStepStatus> fromWireName(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
    }
}
