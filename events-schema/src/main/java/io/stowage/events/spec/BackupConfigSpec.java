package io.stowage.events.spec;

import java.util.Map;

/** The {@code spec} of a BackupConfig: how to reach the database, PITR, and the storages by name. */
public record BackupConfigSpec(PostgresSpec postgres, PitrSpec pitr, Map<String, StorageSpec> storages) {
}
