package io.stowage.resync.scan;

import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.StorageLayout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;

/** Fills a storage behind Stowage's back, through the storage library: backups as a copy would bring them, WAL. */
public final class StorageFill {
    private StorageFill() {
    }

    /** A complete backup: an archive of {@code size} bytes and a manifest that lists it. */
    public static BackupManifest backup(BackupStorage storage, String cluster, String id, int size) throws IOException {
        object(storage, StorageLayout.baseArchive(id), size);
        BackupManifest m = manifest(cluster, id, size, storage.name());
        storage.writeSmall(StorageLayout.manifest(id), m.toJson());
        return m;
    }

    public static BackupManifest manifest(String cluster, String id, int size, String storage) {
        return new BackupManifest(BackupManifest.FORMAT, id, cluster, List.of(storage), "0/5000028", "0/5000138",
                "00000001", OffsetDateTime.parse("2026-11-22T03:00:00Z"), OffsetDateTime.parse("2026-11-22T03:00:06Z"),
                "7312345678901234567", "15.18", size * 3L, size * 2L, "zstd",
                List.of(new BackupManifest.StoredObject(StorageLayout.BASE_ARCHIVE, size, "ab".repeat(32))),
                "req-" + id, "corr-" + id);
    }

    public static void object(BackupStorage storage, String key, int size) throws IOException {
        try (ObjectUpload upload = storage.upload(key)) {
            upload.write(new byte[size]);
            upload.complete();
        }
    }

    public static void garbageManifest(BackupStorage storage, String id) throws IOException {
        object(storage, StorageLayout.baseArchive(id), 10);
        storage.writeSmall(StorageLayout.manifest(id), "{ this is not json".getBytes(StandardCharsets.UTF_8));
    }

    public static void segments(BackupStorage storage, String... names) throws IOException {
        for (String name : names) {
            object(storage, StorageLayout.walSegment(name), 64);
        }
    }
}
