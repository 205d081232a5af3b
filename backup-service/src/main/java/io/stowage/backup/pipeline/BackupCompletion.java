package io.stowage.backup.pipeline;

import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.StorageException;
import io.stowage.storage.StorageLayout;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Completes a backup that is already whole on some of its storages (a request delivered again after its runner was
 * killed between the manifest writes, or a run that met another run of the same backup): the manifest there defines
 * the backup. Each other storage gets that archive (checked if one is there, copied from a storage that holds the
 * backup if not) and that very manifest; every storage is read back and checked before the backup counts as
 * complete. The database is not read again, so the backup's LSNs are true on every storage.
 */
final class BackupCompletion {
    private static final Logger LOG = Logger.getLogger(BackupCompletion.class);
    private static final Duration LOOK_AGAIN = Duration.ofMillis(500);

    private BackupCompletion() {
    }

    /** The manifests (as stored) of the storages that have one. */
    static Map<String, byte[]> manifestsOn(Map<String, BackupStorage> storages, String backupId) throws IOException {
        Map<String, byte[]> found = new LinkedHashMap<>();
        for (var e : storages.entrySet()) {
            StoredManifest.read(e.getValue(), backupId).ifPresent(m -> found.put(e.getKey(), m));
        }
        return found;
    }

    /**
     * Waits up to {@code patience} for a manifest on one of the storages (the run that placed an archive first writes
     * it within moments), then completes the backup it defines.
     */
    static BackupManifest awaitAndComplete(Map<String, BackupStorage> storages, String backupId, String runId,
                                           Duration patience, RunDeadline deadline) throws IOException {
        long end = System.nanoTime() + patience.toNanos();
        Map<String, byte[]> found = manifestsOn(storages, backupId);
        while (found.isEmpty() && System.nanoTime() - end < 0) {
            deadline.check();
            pause();
            found = manifestsOn(storages, backupId);
        }
        if (found.isEmpty()) {
            throw new IOException("another run of backup " + backupId + " placed its archive first but wrote no"
                    + " manifest within " + patience.toSeconds() + " s: this run leaves the backup to it");
        }
        return complete(storages, backupId, found, runId, deadline);
    }

    /** @param found the manifests already stored, by storage (at least one) */
    static BackupManifest complete(Map<String, BackupStorage> storages, String backupId, Map<String, byte[]> found,
                                   String runId, RunDeadline deadline) throws IOException {
        var first = found.entrySet().iterator().next();
        for (var e : found.entrySet()) {
            if (!Arrays.equals(e.getValue(), first.getValue())) {
                throw new IOException("storages " + first.getKey() + " and " + e.getKey() + " hold different backups"
                        + " under the id " + backupId + " (their manifests differ): not completed, nothing changed");
            }
        }
        BackupManifest manifest = BackupManifest.parse(first.getValue());
        BackupStorage source = storages.get(first.getKey());
        Map<String, BackupStorage> missing = new LinkedHashMap<>(storages);
        missing.keySet().removeAll(found.keySet());
        Map<String, BackupStorage> unchecked = new LinkedHashMap<>(storages);
        for (var e : missing.entrySet()) {
            if (bringArchives(e.getValue(), source, manifest, runId, deadline)) {
                unchecked.remove(e.getKey());
            }
            if (!e.getValue().writeSmallIfAbsent(StorageLayout.manifest(backupId), first.getValue())) {
                Optional<byte[]> there = StoredManifest.read(e.getValue(), backupId);
                if (there.isEmpty() || !Arrays.equals(there.get(), first.getValue())) {
                    throw new StorageException(e.getValue().describe() + ": another run wrote a different manifest"
                            + " of backup " + backupId + " meanwhile: not completed");
                }
            }
            LOG.infof("storage %s: backup %s completed as its first run defined it (WAL %s..%s)", e.getKey(), backupId,
                    manifest.startLsn(), manifest.stopLsn());
        }
        PerStorage.run("verify-" + backupId, unchecked, (name, storage) -> {
            BackupManifest stored = ArchiveVerification.verify(storage, backupId, deadline);
            if (!stored.equals(manifest)) {
                throw new StorageException(storage.describe() + ": the manifest of backup " + backupId
                        + " changed while it was checked");
            }
            return stored;
        });
        return manifest;
    }

    /**
     * Makes the backup's objects on {@code target} those of the manifest: returns true when what was there already
     * is (it has been read back), false when they were copied (they are read back with the others).
     */
    private static boolean bringArchives(BackupStorage target, BackupStorage source, BackupManifest manifest,
                                         String runId, RunDeadline deadline) throws IOException {
        boolean allThere = true;
        for (BackupManifest.StoredObject object : manifest.objects()) {
            String key = StorageLayout.backupFolder(manifest.backupId()) + object.name();
            Optional<ObjectInfo> there = target.stat(key);
            if (there.isPresent()) {
                try {
                    ArchiveVerification.check(target, key, object, deadline);
                    continue; // the first run's archive, placed before it was killed
                } catch (StorageException mismatch) {
                    LOG.warnf("%s; it has no manifest: removed, the backup's archive is copied in its place",
                            mismatch.getMessage());
                    target.deleteVersion(key, there.get().version());
                }
            }
            allThere = false;
            LOG.infof("storage %s: copying %s of backup %s from %s", target.name(), object.name(),
                    manifest.backupId(), source.name());
            ArchiveCopy.copy(source, target, key, object, runId, deadline);
        }
        return allThere;
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(LOOK_AGAIN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for another run's manifest");
        }
    }
}
