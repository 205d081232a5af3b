package io.stowage.backup.pipeline;

import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.StorageException;
import io.stowage.storage.StorageLayout;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads a backup back from a storage and checks each of its objects against the manifest stored beside them: the
 * size and the SHA-256 the manifest records. Streams with one 1 MiB buffer (a storage's download may read ahead
 * within its own bounds); about a second per GB on a local folder or S3 server (backup-service/README.md).
 */
final class ArchiveVerification {
    private static final int BUFFER = 1 << 20;

    private ArchiveVerification() {
    }

    /** The manifest stored on {@code storage}, once every object it lists has been read back and matches it. */
    static BackupManifest verify(BackupStorage storage, String backupId, RunDeadline deadline) throws IOException {
        BackupManifest manifest = BackupManifest.parse(storage.readSmall(StorageLayout.manifest(backupId)));
        for (BackupManifest.StoredObject object : manifest.objects()) {
            check(storage, StorageLayout.backupFolder(backupId) + object.name(), object, deadline);
        }
        return manifest;
    }

    /** Reads {@code key} whole; throws unless its size and SHA-256 are the manifest's. */
    static void check(BackupStorage storage, String key, BackupManifest.StoredObject expected, RunDeadline deadline)
            throws IOException {
        ObjectInfo info = storage.stat(key).orElseThrow(() -> new StorageException(storage.describe() + ": " + key
                + " is missing, though the manifest lists it"));
        if (info.size() != expected.sizeBytes()) {
            throw mismatch(storage, key, "is " + info.size() + " bytes, the manifest says " + expected.sizeBytes());
        }
        MessageDigest sha256 = sha256();
        long size = 0;
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = storage.download(key)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
                size += n;
                deadline.check();
            }
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (size != expected.sizeBytes() || !actual.equals(expected.sha256())) {
            throw mismatch(storage, key, "reads back as " + size + " bytes with SHA-256 " + actual
                    + ", the manifest says " + expected.sizeBytes() + " bytes with SHA-256 " + expected.sha256());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static StorageException mismatch(BackupStorage storage, String key, String how) {
        return new StorageException(storage.describe() + ": " + key + " does not match its manifest: it " + how);
    }
}
