package io.stowage.events.data;

/**
 * WAL archiving of a cluster has fallen behind (or caught up again): segments wait in the local queue because the
 * main storage does not take them fast enough, or at all.
 *
 * @param state           {@code LAGGING} when the oldest waiting segment has waited longer than the threshold or the
 *                        queue is full; {@code CAUGHT_UP} when the queue has drained again
 * @param waitingSeconds  how long the oldest waiting segment has waited
 * @param queueFull       true when the queue reached its limit and Stowage stopped receiving WAL: PostgreSQL keeps
 *                        it in pg_wal (the replication slot) until the storage answers again
 * @param lastError       why the last attempt to store a segment failed, if it did (never a secret)
 */
public record WalLag(
        String cluster,
        String storage,
        String state,
        int queuedSegments,
        long queuedBytes,
        long queueLimitBytes,
        String oldestSegment,
        long waitingSeconds,
        boolean queueFull,
        String lastError) implements BackupEvent {

    public static final String LAGGING = "LAGGING";
    public static final String CAUGHT_UP = "CAUGHT_UP";
}
