package io.stowage.backup.pipeline;

import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.StorageSpec;

import java.util.Map;

/**
 * One base backup to take: which database, under which id, to which storages (by name, in the order asked).
 *
 * @param storages the target storages' specs by name, secret names only
 */
public record BackupPlan(String cluster, String backupId, PostgresSpec postgres, Map<String, StorageSpec> storages) {
}
