package io.stowage.events.data;

/**
 * Asks for one backup to be removed, from one storage or from every storage that holds it. resync-service answers
 * with {@code backup.removed.v1} per storage, or {@code backup.delete.failed.v1} with the reason: it refuses a backup a
 * running restore uses, and the only complete backup of a storage unless {@code force}.
 *
 * @param storage the one storage to remove it from; absent: every storage of the cluster that holds it
 * @param force   remove it even when it is the only complete backup of a storage
 * @param reason  why, for people (may be null)
 */
public record BackupDeleteRequested(String cluster, String backupId, String storage, Boolean force, String reason)
        implements BackupEvent {

    public boolean forced() {
        return Boolean.TRUE.equals(force);
    }
}
