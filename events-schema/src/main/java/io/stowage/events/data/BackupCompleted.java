package io.stowage.events.data;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A base backup is complete (its manifest written) on every listed storage.
 *
 * @param timeline the timeline as 8 hex digits, as in WAL file names
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
        long storedBytes) implements BackupEvent {
}
