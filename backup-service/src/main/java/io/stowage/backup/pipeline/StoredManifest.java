package io.stowage.backup.pipeline;

import io.stowage.storage.BackupStorage;
import io.stowage.storage.NoSuchObjectException;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.StorageLayout;

import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;

/** A backup's manifest as a storage holds it: read, compared with a run's own, removed only when it is that run's. */
final class StoredManifest {
    private StoredManifest() {
    }

    static Optional<byte[]> read(BackupStorage storage, String backupId) throws IOException {
        try {
            return Optional.of(storage.readSmall(StorageLayout.manifest(backupId)));
        } catch (NoSuchObjectException e) {
            return Optional.empty();
        }
    }

    /** True when the storage holds exactly {@code manifest} (false for null). */
    static boolean is(BackupStorage storage, String backupId, byte[] manifest) throws IOException {
        return manifest != null && read(storage, backupId).map(m -> Arrays.equals(m, manifest)).orElse(false);
    }

    /** Removes the stored manifest if it is {@code manifest}: a backup whose archive failed its check. */
    static void removeIfIs(BackupStorage storage, String backupId, byte[] manifest) throws IOException {
        Optional<ObjectInfo> info = storage.stat(StorageLayout.manifest(backupId));
        if (info.isPresent() && is(storage, backupId, manifest)) {
            storage.deleteVersion(StorageLayout.manifest(backupId), info.get().version());
        }
    }
}
