package io.stowage.backup.pipeline;

import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.StorageSpec;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * One base backup to take: which database, under which id, to which storages (by name, in the order asked).
 *
 * @param storages the target storages' specs by name, secret names only
 * @param schedule the schedule that asked for it, if one did
 * @param dueAt    that schedule's due time
 * @param late     for a schedule's backup: whether it starts later than its due time allows; null otherwise
 */
public record BackupPlan(String cluster, String backupId, PostgresSpec postgres, Map<String, StorageSpec> storages,
                         String schedule, OffsetDateTime dueAt, Boolean late) {

    /** A backup someone asked for. */
    public BackupPlan(String cluster, String backupId, PostgresSpec postgres, Map<String, StorageSpec> storages) {
        this(cluster, backupId, postgres, storages, null, null, null);
    }
}
