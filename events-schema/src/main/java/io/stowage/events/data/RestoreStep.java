package io.stowage.events.data;

/**
 * One named, idempotent step of a restore.
 *
 * @param status {@code STARTED}, {@code COMPLETED} or {@code SKIPPED} (already done by an earlier run)
 */
public record RestoreStep(String cluster, String restoreId, String step, String status, String detail)
        implements RestoreEvent {
}
