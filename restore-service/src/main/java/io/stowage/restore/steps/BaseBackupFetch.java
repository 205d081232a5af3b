package io.stowage.restore.steps;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.StorageLayout;

import org.apache.commons.io.input.CloseShieldInputStream;
import org.apache.commons.io.input.ReadAheadInputStream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Streams a base backup from its storage into a folder: parallel ranged reads (the storage library's download),
 * SHA-256 of the stored bytes and zstd decompression on one thread, tar extraction on this one, in one pass, with
 * constant memory. The checksum
 * and size are compared with the backup's manifest at the end: a mismatch fails the step, whatever was unpacked.
 * When the bytes do not unpack, the rest of the object is read so the failure says whether it is corrupted.
 */
final class BaseBackupFetch {
    private static final int BUFFER = 1 << 20;

    /**
     * What was fetched: the stored object's size and SHA-256, what it unpacked to, and how far the unpacked files'
     * checksums were compared with backup_manifest's.
     */
    record Fetched(long storedBytes, String sha256, long files, long bytes, ManifestCheck.Result checksums) {
    }

    private BaseBackupFetch() {
    }

    static BackupManifest manifest(BackupStorage storage, String backupId) throws IOException {
        try {
            return BackupManifest.parse(storage.readSmall(StorageLayout.manifest(backupId)));
        } catch (IOException e) {
            throw new IOException("the manifest of backup " + backupId + " on " + storage.describe()
                    + " cannot be read: " + e.getMessage(), e);
        }
    }

    static Fetched fetch(BackupStorage storage, BackupManifest manifest, Path into) throws IOException {
        BackupManifest.StoredObject object = manifest.objects().stream()
                .filter(o -> o.name().equals(StorageLayout.BASE_ARCHIVE)).findFirst()
                .orElseThrow(() -> new IOException("backup " + manifest.backupId() + " lists no "
                        + StorageLayout.BASE_ARCHIVE));
        if (manifest.objects().size() > 1) {
            throw new IOException("backup " + manifest.backupId() + " has tablespace archives beside "
                    + StorageLayout.BASE_ARCHIVE + ": base backups with tablespaces are not restored by this version");
        }
        String where = StorageLayout.BASE_ARCHIVE + " of backup " + manifest.backupId() + " on " + storage.describe();
        MessageDigest sha256 = sha256();
        Counting counted;
        TarExtractor.Extracted extracted;
        try (InputStream raw = storage.download(StorageLayout.baseArchive(manifest.backupId()))) {
            counted = new Counting(new DigestInputStream(raw, sha256));
            try {
                extracted = unpack(counted, into);
                // The tar ends before the object does: read it to its end, for its checksum.
                counted.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // Most damage shows first as a zstd or tar error. Reading the object to its end tells whether the
                // stored bytes differ from the manifest's checksum (a corrupted object) or not (a bad write).
                try {
                    counted.transferTo(OutputStream.nullOutputStream());
                } catch (IOException unreadable) {
                    throw new IOException(where + " is damaged or unreadable (" + e.getMessage() + ")", e);
                }
                IOException mismatch = mismatch(where, object, counted.count, sha256);
                if (mismatch != null) {
                    mismatch.addSuppressed(e);
                    throw mismatch;
                }
                throw new IOException(where + " matches its manifest's SHA-256 but does not unpack ("
                        + e.getMessage() + ")", e);
            }
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        IOException mismatch = mismatch(where, object, counted.count, actual);
        if (mismatch != null) {
            throw mismatch;
        }
        Path backupManifest = into.resolve("backup_manifest");
        ManifestCheck.Result checksums = Files.exists(backupManifest)
                ? ManifestCheck.check(backupManifest, extracted.unpacked())
                : new ManifestCheck.Result(0, false, "the archive holds no backup_manifest");
        return new Fetched(counted.count, actual, extracted.files(), extracted.bytes(), checksums);
    }

    /**
     * Decompresses and unpacks the stored bytes. Decompression (with the read and checksum of the stored bytes) runs
     * ahead on a thread of its own, a buffer ahead, while this one writes the files: writing into the page cache
     * costs about as much CPU as zstd does, so the two overlap. Memory stays two buffers.
     */
    private static TarExtractor.Extracted unpack(InputStream stored, Path into) throws IOException {
        // Closing the read-ahead stops its thread and closes the zstd stream, but not the stored object, which
        // the caller reads to its end.
        try (InputStream tar = ReadAheadInputStream.builder()
                .setInputStream(new ZstdInputStreamNoFinalizer(CloseShieldInputStream.wrap(stored)))
                .setBufferSize(BUFFER).get()) {
            TarExtractor.Extracted extracted = TarExtractor.extract(tar, into);
            // The tar ends before the zstd stream does: read it to its end, so a damaged tail is seen.
            tar.transferTo(OutputStream.nullOutputStream());
            return extracted;
        }
    }

    private static IOException mismatch(String where, BackupManifest.StoredObject object, long size,
                                        MessageDigest sha256) {
        return mismatch(where, object, size, HexFormat.of().formatHex(sha256.digest()));
    }

    /** The failure to report when the stored object is not the one the manifest describes, else null. */
    private static IOException mismatch(String where, BackupManifest.StoredObject object, long size, String actual) {
        if (size == object.sizeBytes() && actual.equalsIgnoreCase(object.sha256())) {
            return null;
        }
        return new IOException(where + " does not match its manifest: " + size + " bytes with SHA-256 "
                + actual + ", the manifest says " + object.sizeBytes() + " bytes with SHA-256 " + object.sha256()
                + " (the object is corrupted; restore another backup or from another storage)");
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
