package io.stowage.restore.service;

import io.stowage.events.Envelope;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.restore.steps.StepFailure;

import java.time.Duration;

/**
 * One restore's steps on the bus, all caused by its request: their events, backup-service's pause and resume as a
 * request and its answer, and the backup after the restore.
 */
final class BusCoordination implements RestoreRun.Coordination {
    private final Envelope<?> request;
    private final RestorePlan plan;
    private final RestoreBus bus;
    private final Duration answerTimeout;
    private final String source;

    BusCoordination(Envelope<?> request, RestorePlan plan, RestoreBus bus, Duration answerTimeout, String source) {
        this.request = request;
        this.plan = plan;
        this.bus = bus;
        this.answerTimeout = answerTimeout;
        this.source = source;
    }

    @Override
    public void step(RestoreStepName step, RestoreStepStatus status, String detail) {
        bus.report(Envelope.causedBy(request, source,
                new RestoreStep(plan.cluster(), plan.restoreId(), step, status, detail)));
    }

    @Override
    public void pauseArchiving() throws StepFailure {
        handshake(RestoreStepName.PAUSE_ARCHIVING, "pause WAL archiving and backups of " + plan.cluster());
    }

    @Override
    public void resumeArchiving() throws StepFailure {
        handshake(RestoreStepName.RESUME_ARCHIVING, "resume WAL archiving and backups of " + plan.cluster());
    }

    /** The step STARTED is backup-service's request; the same step COMPLETED, caused by it, is the answer. */
    private void handshake(RestoreStepName step, String what) throws StepFailure {
        Envelope<RestoreStep> ask = Envelope.causedBy(request, source,
                new RestoreStep(plan.cluster(), plan.restoreId(), step, RestoreStepStatus.STARTED, what));
        try {
            if (bus.ask(ask, answerTimeout).isEmpty()) {
                throw new StepFailure(step, "backup-service did not answer '" + step.wireName() + "' within "
                        + answerTimeout + ": is it running?");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailure(step, "interrupted", e);
        }
    }

    @Override
    public String requestBackup() {
        String backupId = "after-" + plan.restoreId();
        bus.publish(Envelope.causedBy(request, source, new BackupRequested(plan.cluster(), null, backupId)));
        return backupId;
    }
}
