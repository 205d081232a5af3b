package io.stowage.backup.pipeline;

import io.stowage.storage.BackupStorage;
import io.stowage.storage.ObjectExistsException;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.StorageLayout;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Puts a run's streamed archives under their final names, one storage after the other in name order (as every run
 * does, so two runs of one backup meet on the same storage first), each only where no archive is: the first run to
 * place its archive there owns the backup. An archive found there already is another run's: when its manifest follows
 * within the lease, that run made the backup; when not, it is the leftover of a run that is gone, and is removed.
 */
final class ArchivePlacement {
    private static final Logger LOG = Logger.getLogger(ArchivePlacement.class);
    private static final Duration LOOK_AGAIN = Duration.ofMillis(500);

    private final String backupId;
    private final Duration lease;
    private final RunDeadline deadline;
    /** Version of each archive this run placed, by storage: only those may this run remove again. */
    private final Map<String, String> placed = new LinkedHashMap<>();

    ArchivePlacement(String backupId, Duration lease, RunDeadline deadline) {
        this.backupId = backupId;
        this.lease = lease;
        this.deadline = deadline;
    }

    /** @return true once every archive is placed; false when another run of the backup placed one first */
    boolean place(Map<String, ObjectUpload> uploads, Map<String, BackupStorage> storages) throws IOException {
        String archiveKey = StorageLayout.baseArchive(backupId);
        for (var e : new TreeMap<>(uploads).entrySet()) {
            BackupStorage storage = storages.get(e.getKey());
            deadline.check();
            Optional<ObjectInfo> there = storage.stat(archiveKey);
            if (there.isPresent()) {
                if (manifestFollows(storage)) {
                    LOG.infof("storage %s: another run of backup %s placed its archive and manifest first",
                            e.getKey(), backupId);
                    return false;
                }
                LOG.warnf("storage %s: the archive of backup %s has had no manifest for %s: the leftover of a run"
                        + " that is gone, removed", e.getKey(), backupId, lease);
                storage.deleteVersion(archiveKey, there.get().version());
            }
            try {
                e.getValue().complete();
            } catch (ObjectExistsException taken) {
                LOG.infof("storage %s: another run of backup %s placed its archive first", e.getKey(), backupId);
                return false;
            }
            placed.put(e.getKey(), e.getValue().version());
        }
        return true;
    }

    /** What this run placed, by storage, with its version. */
    Map<String, String> placed() {
        return placed;
    }

    /**
     * After a failure: removes the archives this run placed on storages where its manifest is not (this run's
     * manifest over one means that storage's copy is whole), and never another run's.
     *
     * @param manifest this run's manifest as stored, or null when it wrote none
     */
    void removeUnfinished(Map<String, BackupStorage> storages, byte[] manifest) {
        String archiveKey = StorageLayout.baseArchive(backupId);
        placed.forEach((name, version) -> {
            try {
                BackupStorage storage = storages.get(name);
                if (!StoredManifest.is(storage, backupId, manifest)) {
                    storage.deleteVersion(archiveKey, version);
                }
            } catch (IOException | RuntimeException x) {
                LOG.warnf("storage %s: could not remove the incomplete %s: %s", name, archiveKey, x.getMessage());
            }
        });
    }

    private boolean manifestFollows(BackupStorage storage) throws IOException {
        long end = System.nanoTime() + lease.toNanos();
        while (true) {
            if (storage.stat(StorageLayout.manifest(backupId)).isPresent()) {
                return true;
            }
            if (System.nanoTime() - end >= 0) {
                return false;
            }
            deadline.check();
            try {
                Thread.sleep(LOOK_AGAIN.toMillis());
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for another run's manifest");
            }
        }
    }
}
