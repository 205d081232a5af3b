package io.stowage.events.data;

/**
 * One named, idempotent step of a restore.
 *
 * @param step   a {@link RestoreStepName}'s wire name (open: a newer restore-service may add steps)
 * @param status a {@link RestoreStepStatus}'s wire name: {@code STARTED}, {@code COMPLETED} or {@code SKIPPED}
 *               (already done by an earlier run)
 */
public record RestoreStep(String cluster, String restoreId, String step, String status, String detail)
        implements RestoreEvent {

    public RestoreStep(String cluster, String restoreId, RestoreStepName step, RestoreStepStatus status,
                       String detail) {
        this(cluster, restoreId, step.wireName(), status.wireName(), detail);
    }

    /** Whether this event is about that step. */
    public boolean is(RestoreStepName name) {
        return name.wireName().equals(step);
    }

    /** Whether the step is in that status. */
    public boolean is(RestoreStepStatus s) {
        return s.wireName().equals(status);
    }
}
