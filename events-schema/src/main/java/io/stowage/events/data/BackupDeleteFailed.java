package io.stowage.events.data;

/**
 * A delete request removed nothing more: refused (a restore uses the backup, it is a storage's only complete backup,
 * it is on no storage) or failed (a storage did not answer). Storages it was removed from before say so with
 * {@code backup.removed.v1}; a backup being removed stays {@code EXPIRING} in the catalog, never offered for restore.
 *
 * @param storage the storage the reason is about; absent when it is about the request as a whole
 */
public record BackupDeleteFailed(String cluster, String backupId, String storage, String reason)
        implements BackupEvent {
}
