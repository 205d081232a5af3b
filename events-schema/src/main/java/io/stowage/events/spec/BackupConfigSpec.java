package io.stowage.events.spec;

import java.util.List;
import java.util.Map;

/**
 * The {@code spec} of a BackupConfig: how to reach the database, PITR, the storages by name, and the backup
 * schedules (absent: none).
 */
public record BackupConfigSpec(PostgresSpec postgres, PitrSpec pitr, Map<String, StorageSpec> storages,
                               List<ScheduleSpec> schedules) {

    /** A cluster backed up only when asked. */
    public BackupConfigSpec(PostgresSpec postgres, PitrSpec pitr, Map<String, StorageSpec> storages) {
        this(postgres, pitr, storages, null);
    }

    /** The schedules, none when absent. */
    public List<ScheduleSpec> schedulesOrNone() {
        return schedules == null ? List.of() : schedules;
    }
}
