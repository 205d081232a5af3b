package io.stowage.events.data;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A base backup is complete (its manifest written) on every listed storage.
 *
 * @param timeline the timeline as 8 hex digits, as in WAL file names
 * @param schedule the schedule that asked for it, if one did
 * @param late     whether it started later than its due time allows ({@code stowage.schedules.late-after}); set only
 *                 for a schedule's backup
 */
public record BackupCompleted(
        String cluster,
        String backupId,
        List<String> storages,
        String startLsn,
        String stopLsn,
        String timeline,
        OffsetDateTime startTime,
        OffsetDateTime stopTime,
        long sizeBytes,
        long storedBytes,
        String schedule,
        Boolean late) implements BackupEvent {

    /** A backup no schedule asked for. */
    public BackupCompleted(String cluster, String backupId, List<String> storages, String startLsn, String stopLsn,
                           String timeline, OffsetDateTime startTime, OffsetDateTime stopTime, long sizeBytes,
                           long storedBytes) {
        this(cluster, backupId, storages, startLsn, stopLsn, timeline, startTime, stopTime, sizeBytes, storedBytes,
                null, null);
    }
}
