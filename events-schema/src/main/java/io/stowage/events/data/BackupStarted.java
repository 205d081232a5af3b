package io.stowage.events.data;

import java.util.List;

/** A base backup has begun reading the database. */
public record BackupStarted(String cluster, String backupId, List<String> storages) implements BackupEvent {
}
