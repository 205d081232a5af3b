package io.stowage.events.data;

import java.util.List;

/** A base backup that did not complete: nothing of it is ever offered for restore. */
public record BackupFailed(String cluster, String backupId, List<String> storages, String reason)
        implements BackupEvent {
}
