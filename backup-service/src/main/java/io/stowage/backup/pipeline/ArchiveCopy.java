package io.stowage.backup.pipeline;

import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.ObjectExistsException;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.StorageException;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Copies one object of a backup from a storage that holds the backup to one that lacks it, streaming, and places it
 * only if its bytes are the manifest's (size and SHA-256) and no object took its name meanwhile.
 */
final class ArchiveCopy {
    private static final int BUFFER = 1 << 20;

    private ArchiveCopy() {
    }

    /** @return false when another run placed an object under the key first (it is checked like any other) */
    static boolean copy(BackupStorage from, BackupStorage to, String key, BackupManifest.StoredObject expected,
                        String runId, RunDeadline deadline) throws IOException {
        MessageDigest sha256 = ArchiveVerification.sha256();
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = from.download(key); ObjectUpload upload = to.uploadNew(key, runId)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
                upload.write(buffer, 0, n);
                deadline.check();
            }
            String actual = HexFormat.of().formatHex(sha256.digest());
            if (upload.bytesWritten() != expected.sizeBytes() || !actual.equals(expected.sha256())) {
                throw new StorageException(from.describe() + ": " + key + " does not match its manifest ("
                        + upload.bytesWritten() + " bytes with SHA-256 " + actual + "): not copied to " + to.name());
            }
            upload.complete();
            return true;
        } catch (ObjectExistsException e) {
            return false;
        }
    }
}
