package io.stowage.backup.pipeline;

import com.github.luben.zstd.ZstdOutputStream;
import io.stowage.backup.postgres.PgBaseBackup;
import io.stowage.backup.postgres.PostgresTools;
import io.stowage.backup.postgres.ServerFacts;
import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.StorageException;
import io.stowage.storage.StorageLayout;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes one base backup: ONE read of the database (pg_basebackup's tar stream), compressed once (zstd),
 * checksummed once, written to every target storage in parallel; then, on each storage, the manifest LAST, and the
 * archive read back and checked against it. A backup whose manifest is already on one of its storages is completed
 * from there instead ({@link BackupCompletion}), so a backup id never stands for two reads of the database.
 *
 * <p>Runs of one backup may overlap (a request taken over while its first runner still writes). They are fenced: each
 * run writes under names of its own ({@link BackupStorage#uploadNew}), the first to place its archive owns the backup
 * ({@link ArchivePlacement}), manifests are created only where none is, a run removes only what it placed, and a run
 * that loses reports the backup the other made.
 */
public final class BaseBackupRun {
    private static final Logger LOG = Logger.getLogger(BaseBackupRun.class);
    private static final int READ_BUFFER = 1 << 20;

    /**
     * How a backup is compressed and reports, how long a run may take ({@code stowage.backup.max-duration}), and how
     * long a silent run counts as alive ({@code stowage.backup.lease}).
     */
    public record Settings(int zstdLevel, int zstdWorkers, Duration progressInterval, String maxRate,
                           Duration maxDuration, Duration lease) {
    }

    /** How the backup came to be complete. */
    public enum How {
        /** This run read the database. */
        TAKEN,
        /** Every storage held it already; read back and checked. */
        ALREADY_COMPLETE,
        /** Some storages held it (an earlier run, or one running beside this one): the others got it from them. */
        COMPLETED_FROM_STORAGE
    }

    /** What the run did: the backup's manifest, and how. */
    public record Result(BackupManifest manifest, How how) {
    }

    private final Settings settings;

    public BaseBackupRun(Settings settings) {
        this.settings = settings;
    }

    /**
     * @param storages the opened target storages by name (the caller closes them)
     * @param ids      request and correlation ids, recorded in the manifest
     */
    public Result run(BackupPlan plan, Map<String, BackupStorage> storages, PostgresTools tools, String requestId,
                      String correlationId, BackupListener listener) throws IOException, InterruptedException {
        String runId = UUID.randomUUID().toString().substring(0, 13);
        RunDeadline deadline = new RunDeadline(plan.backupId(), settings.maxDuration());
        Map<String, byte[]> found = BackupCompletion.manifestsOn(storages, plan.backupId());
        if (!found.isEmpty()) {
            LOG.infof("backup %s of %s is already complete on %s (run %s)", plan.backupId(), plan.cluster(),
                    found.keySet(), runId);
            return completeFromStorage(plan, storages, found, runId, deadline, listener);
        }
        try {
            return take(plan, storages, tools, requestId, correlationId, runId, deadline, listener);
        } catch (IOException e) {
            if (deadline.passed() || Thread.currentThread().isInterrupted()) {
                throw e;
            }
            // Another run of the backup may have finished it meanwhile (which ends this one's uploads): report it.
            found = BackupCompletion.manifestsOn(storages, plan.backupId());
            if (found.isEmpty()) {
                throw e;
            }
            LOG.infof("backup %s run %s failed (%s), but the backup is on %s: completing it from there",
                    plan.backupId(), runId, e.getMessage(), found.keySet());
            return completeFromStorage(plan, storages, found, runId, deadline, listener);
        }
    }

    private Result completeFromStorage(BackupPlan plan, Map<String, BackupStorage> storages, Map<String, byte[]> found,
                                       String runId, RunDeadline deadline, BackupListener listener)
            throws IOException {
        BackupManifest defined = BackupManifest.parse(found.values().iterator().next());
        How how = found.size() == storages.size() ? How.ALREADY_COMPLETE : How.COMPLETED_FROM_STORAGE;
        try (ProgressTicker heartbeat = new ProgressTicker(listener, plan, settings.progressInterval().toMillis(),
                defined::tarBytes, defined.databaseBytes(), deadline, () -> { })) {
            BackupManifest manifest = BackupCompletion.complete(storages, plan.backupId(), found, runId, deadline);
            discardOtherRuns(storages, plan.backupId());
            return new Result(manifest, how);
        }
    }

    private Result take(BackupPlan plan, Map<String, BackupStorage> storages, PostgresTools tools, String requestId,
                        String correlationId, String runId, RunDeadline deadline, BackupListener listener)
            throws IOException, InterruptedException {
        String backupId = plan.backupId();
        String archiveKey = StorageLayout.baseArchive(backupId);
        for (var e : storages.entrySet()) {
            // Runs killed midway (a redelivered request) left uploads behind: those nobody writes to any more go.
            int discarded = e.getValue().discardAbandoned(StorageLayout.backupFolder(backupId), settings.lease());
            if (discarded > 0) {
                LOG.infof("storage %s: discarded %d upload(s) of backup %s left by an interrupted run", e.getKey(),
                        discarded, backupId);
            }
        }
        ServerFacts facts = ServerFacts.ask(tools);
        OffsetDateTime startTime = now();
        Map<String, ObjectUpload> uploads = new LinkedHashMap<>();
        ArchivePlacement placement = new ArchivePlacement(backupId, settings.lease(), deadline);
        AtomicLong read = new AtomicLong();
        ParallelFanOut fanOut = null;
        byte[] written = null;
        try (PgBaseBackup pg = PgBaseBackup.start(tools, "stowage " + backupId, settings.maxRate());
             ProgressTicker heartbeat = new ProgressTicker(listener, plan, settings.progressInterval().toMillis(),
                     read::get, facts.databaseBytes(), deadline, pg::close)) {
            for (var e : storages.entrySet()) {
                uploads.put(e.getKey(), e.getValue().uploadNew(archiveKey, runId));
            }
            listener.started(plan);
            fanOut = new ParallelFanOut(uploads);
            long tarBytes;
            try (ZstdOutputStream zstd = new ZstdOutputStream(fanOut, settings.zstdLevel())) {
                if (settings.zstdWorkers() > 0) {
                    zstd.setWorkers(settings.zstdWorkers());
                }
                tarBytes = copy(pg.stream(), zstd, read);
            }
            pg.awaitSuccess();
            // Reading is done; the heartbeat goes on while the archives are placed, the manifests written, all checked.
            listener.progress(plan, tarBytes, facts.databaseBytes(), 0);
            BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, backupId, plan.cluster(),
                    List.copyOf(storages.keySet()), pg.startLsn(), pg.stopLsn(), StorageLayout.timelineHex(pg.timeline()),
                    startTime, now(), facts.systemIdentifier(), facts.version(), facts.databaseBytes(), tarBytes,
                    "zstd:" + settings.zstdLevel(),
                    List.of(new BackupManifest.StoredObject(StorageLayout.BASE_ARCHIVE, fanOut.bytes(), fanOut.sha256Hex())),
                    requestId, correlationId, plan.schedule(), plan.dueAt(), plan.late());
            if (!placement.place(uploads, storages)) {
                abortAll(uploads);
                placement.removeUnfinished(storages, null);
                return new Result(BackupCompletion.awaitAndComplete(storages, backupId, runId, settings.lease(),
                        deadline), How.COMPLETED_FROM_STORAGE);
            }
            written = manifest.toJson();
            writeManifests(storages, backupId, written);
            verify(storages, manifest, written, deadline);
            discardOtherRuns(storages, backupId);
            return new Result(manifest, How.TAKEN);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (fanOut != null) {
                fanOut.cancel();
            }
            abortAll(uploads);
            placement.removeUnfinished(storages, written);
            if (deadline.passed()) {
                throw deadline.exceeded(e);
            }
            throw e;
        }
    }

    private static long copy(InputStream in, ZstdOutputStream out, AtomicLong read) throws IOException {
        byte[] buffer = new byte[READ_BUFFER];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
            total += n;
            read.set(total);
        }
        return total;
    }

    /** Each storage gets the manifest only where none is: a run that writes its manifest second replaces nothing. */
    private static void writeManifests(Map<String, BackupStorage> storages, String backupId, byte[] manifest)
            throws IOException {
        PerStorage.run("manifest-" + backupId, storages, (name, storage) -> {
            if (!storage.writeSmallIfAbsent(StorageLayout.manifest(backupId), manifest)
                    && !StoredManifest.is(storage, backupId, manifest)) {
                throw new StorageException(storage.describe() + ": another run wrote its manifest of backup "
                        + backupId + " first: this run's backup is not complete there");
            }
            return null;
        });
    }

    /**
     * Reads every archive back and checks it against the manifest as stored, before the backup is reported complete;
     * where it does not match, this run's manifest goes again, so nothing marks a backup complete that is not.
     */
    private static void verify(Map<String, BackupStorage> storages, BackupManifest manifest, byte[] written,
                               RunDeadline deadline) throws IOException {
        String backupId = manifest.backupId();
        PerStorage.run("verify-" + backupId, storages, (name, storage) -> {
            try {
                if (!ArchiveVerification.verify(storage, backupId, deadline).equals(manifest)) {
                    throw new StorageException(storage.describe() + ": the manifest of backup " + backupId
                            + " is another run's");
                }
            } catch (StorageException e) {
                StoredManifest.removeIfIs(storage, backupId, written);
                throw e;
            }
            return null;
        });
    }

    private static void abortAll(Map<String, ObjectUpload> uploads) {
        for (var e : uploads.entrySet()) {
            try {
                e.getValue().abort();
            } catch (IOException | RuntimeException x) {
                LOG.warnf("storage %s: could not abort the upload of %s: %s", e.getKey(), e.getValue().key(),
                        x.getMessage());
            }
        }
    }

    /** Once the backup is complete, no other run's upload of it can ever be placed: they go. */
    private static void discardOtherRuns(Map<String, BackupStorage> storages, String backupId) {
        for (var e : storages.entrySet()) {
            try {
                int discarded = e.getValue().discardIncomplete(StorageLayout.backupFolder(backupId));
                if (discarded > 0) {
                    LOG.infof("storage %s: discarded %d upload(s) of backup %s by other runs", e.getKey(), discarded,
                            backupId);
                }
            } catch (IOException | RuntimeException x) {
                LOG.warnf("storage %s: could not discard other runs' uploads of backup %s: %s", e.getKey(), backupId,
                        x.getMessage());
            }
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    }
}
