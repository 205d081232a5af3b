package io.stowage.restore.kubernetes;

import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.restore.steps.RestoreRun;

import java.util.ArrayList;
import java.util.List;

/** A restore's coordination that records the steps it is told of, as {@code "<step> <STATUS>[: detail]"}. */
final class RecordedSteps implements RestoreRun.Coordination {
    final List<String> steps = new ArrayList<>();

    @Override
    public void step(RestoreStepName step, RestoreStepStatus status, String detail) {
        steps.add(step.wireName() + " " + status.wireName() + (detail == null ? "" : ": " + detail));
    }

    @Override
    public void pauseArchiving() {
    }

    @Override
    public void resumeArchiving() {
    }

    @Override
    public String requestBackup() {
        return null;
    }
}
