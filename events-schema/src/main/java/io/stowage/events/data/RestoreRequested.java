package io.stowage.events.data;

import io.stowage.events.spec.StorageSpec;

/**
 * Asks for a restore from exactly one storage.
 *
 * @param backupId           a backup id or {@code latest}
 * @param storage            the one storage to restore from; may be absent when {@code backupSource} is given
 * @param backupSource       an inline storage spec (secret names only)
 * @param restoreId          the idempotency key; absent means derived from the CloudEvents id
 * @param target             restore to a new instance (folder and port) instead of in place; absent means in place
 */
public record RestoreRequested(
        String cluster,
        String backupId,
        String storage,
        PitrTarget pitr,
        StorageSpec backupSource,
        Boolean backupAfterRestore,
        String restoreId,
        RestoreTarget target) implements RestoreEvent {

    /** Whether the restore replaces the cluster's data directory (the primary is stopped and started again). */
    public boolean inPlace() {
        return target == null;
    }
}
