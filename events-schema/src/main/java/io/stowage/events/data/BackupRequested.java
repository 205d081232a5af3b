package io.stowage.events.data;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * Asks for one base backup written to one or more storages.
 *
 * @param storages storage names; empty or absent means the main storage
 * @param backupId the idempotency key; absent means derived from the CloudEvents id
 * @param schedule the schedule that asked, when a schedule did (its backup id is then the schedule's name and
 *                 {@code dueAt})
 * @param dueAt    the schedule's due time this backup is for
 */
public record BackupRequested(String cluster, List<String> storages, String backupId, String schedule,
                              OffsetDateTime dueAt) implements BackupEvent {

    /** A backup asked for by someone, not by a schedule. */
    public BackupRequested(String cluster, List<String> storages, String backupId) {
        this(cluster, storages, backupId, null, null);
    }
}
