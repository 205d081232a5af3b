package io.stowage.events.data;

import java.time.OffsetDateTime;

/**
 * A schedule's due time fired nothing: the cluster was being restored (or its archiving paused for one). The next due
 * time fires as usual.
 *
 * @param backupId the backup the due time would have made
 */
public record BackupSkipped(String cluster, String schedule, OffsetDateTime dueAt, String backupId, String reason)
        implements BackupEvent {
}
