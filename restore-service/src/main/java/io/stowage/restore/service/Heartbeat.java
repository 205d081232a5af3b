package io.stowage.restore.service;

import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.data.RestoreProgress;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.restore.steps.StepFailure;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A running restore's heartbeat: {@code restore.progress.v1} every interval, naming the step running now, so that an
 * instance handed the same request (after a rebalance) sees it alive and waits instead of restoring twice. It wraps
 * the restore's coordination to learn which step runs.
 */
final class Heartbeat implements RestoreRun.Coordination, AutoCloseable {

    private final RestoreRun.Coordination steps;
    private final ScheduledFuture<?> beating;
    private final long began = System.nanoTime();
    private volatile String step = "starting";

    Heartbeat(RestoreRun.Coordination steps, Envelope<?> request, RestorePlan plan, RestoreBus bus, String source,
              ScheduledExecutorService ticker, Duration interval) {
        this.steps = steps;
        this.beating = ticker.scheduleAtFixedRate(() -> {
            bus.report(Envelope.causedBy(request, source, new RestoreProgress(plan.cluster(), plan.restoreId(),
                    step, "running for " + (System.nanoTime() - began) / 1_000_000_000 + " s")));
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void step(RestoreStepName name, RestoreStepStatus status, String detail) {
        if (status == RestoreStepStatus.STARTED) {
            step = name.wireName();
        }
        steps.step(name, status, detail);
    }

    @Override
    public void pauseArchiving() throws StepFailure {
        steps.pauseArchiving();
    }

    @Override
    public void resumeArchiving() throws StepFailure {
        steps.resumeArchiving();
    }

    @Override
    public String requestBackup() {
        return steps.requestBackup();
    }

    @Override
    public void close() {
        beating.cancel(false);
    }
}
