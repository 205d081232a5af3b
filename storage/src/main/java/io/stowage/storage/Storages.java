package io.stowage.storage;

import io.stowage.events.spec.StorageLocation;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.storage.filesystem.FilesystemStorage;
import io.stowage.storage.s3.S3Storage;

/** Opens a cluster's storage from its config: a {@link FilesystemStorage} or an {@link S3Storage}. */
public final class Storages {

    private Storages() {
    }

    /** Opens storage {@code name} of {@code cluster} with the default {@link StorageTuning}. */
    public static BackupStorage open(String cluster, String name, StorageSpec spec, SecretSource secrets) {
        return open(cluster, name, spec, secrets, StorageTuning.DEFAULTS);
    }

    /**
     * Opens storage {@code name} of {@code cluster} at its effective prefix (default
     * {@code stowage/<cluster>}). Secrets are read now; nothing is sent to the storage yet (see
     * {@link BackupStorage#checkAccess()}).
     *
     * @throws StorageConfigException when the spec is incomplete or a secret it names is missing
     */
    public static BackupStorage open(String cluster, String name, StorageSpec spec, SecretSource secrets,
            StorageTuning tuning) {
        String where = "storage '" + name + "' of cluster '" + cluster + "'";
        if (spec == null || spec.type() == null) {
            throw new StorageConfigException(where + ": type is required (s3 or filesystem)");
        }
        StorageLocation location = spec.location(cluster);
        try {
            if (spec.type() == StorageType.S3) {
                if (spec.s3() == null) {
                    throw new StorageConfigException(where + ": type s3 needs an s3 section");
                }
                return S3Storage.open(name, location, spec.s3(), secrets.forCluster(cluster), tuning);
            }
            if (spec.filesystem() == null || spec.filesystem().path() == null || spec.filesystem().path().isBlank()) {
                throw new StorageConfigException(where + ": type filesystem needs filesystem.path");
            }
            return new FilesystemStorage(name, location);
        } catch (IllegalArgumentException e) {
            throw new StorageConfigException(where + ": " + e.getMessage(), e);
        }
    }
}
