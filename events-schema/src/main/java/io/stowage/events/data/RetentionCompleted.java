package io.stowage.events.data;

/**
 * A cluster's retention was applied: what it removed ({@code backup.removed.v1} and {@code wal.removed.v1} name each)
 * and what it kept back because a running restore uses it.
 *
 * @param backupsRemoved   backups removed, counted once per storage
 * @param walRangesRemoved runs of WAL segments removed
 * @param segmentsRemoved  WAL segments removed in all
 * @param heldForRestores  backups retention would remove but a running restore uses: they go once it has ended
 */
public record RetentionCompleted(String cluster, int backupsRemoved, int walRangesRemoved, long segmentsRemoved,
                                 int heldForRestores, long durationMs) implements ResyncEvent {
}
