package io.stowage.backup.pipeline;

import com.github.luben.zstd.ZstdOutputStream;
import io.stowage.backup.postgres.PgBaseBackup;
import io.stowage.backup.postgres.PostgresTools;
import io.stowage.backup.postgres.ServerFacts;
import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.StorageLayout;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes one base backup: ONE read of the database (pg_basebackup's tar stream), compressed once (zstd),
 * checksummed once, written to every target storage in parallel; then, on each storage, the manifest LAST. A
 * failure at any point leaves no manifest anywhere and removes what this run wrote.
 */
public final class BaseBackupRun {
    private static final Logger LOG = Logger.getLogger(BaseBackupRun.class);
    private static final int READ_BUFFER = 1 << 20;

    /** How a backup is compressed and how often it reports. */
    public record Settings(int zstdLevel, int zstdWorkers, Duration progressInterval, String maxRate) {
    }

    /** What the run did: the manifest, or that every storage already had this backup. */
    public record Result(BackupManifest manifest, boolean alreadyComplete) {
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
        String manifestKey = StorageLayout.manifest(plan.backupId());
        String archiveKey = StorageLayout.baseArchive(plan.backupId());
        Map<String, BackupStorage> todo = new LinkedHashMap<>();
        List<String> done = new ArrayList<>();
        for (var e : storages.entrySet()) {
            if (e.getValue().stat(manifestKey).isPresent()) {
                done.add(e.getKey()); // a redelivered request: this storage already holds the complete backup
            } else {
                todo.put(e.getKey(), e.getValue());
            }
        }
        if (todo.isEmpty()) {
            LOG.infof("backup %s of %s is already complete on %s", plan.backupId(), plan.cluster(), done);
            BackupManifest existing = BackupManifest.parse(storages.values().iterator().next()
                    .readSmall(manifestKey));
            return new Result(existing, true);
        }

        for (var e : todo.entrySet()) {
            // A run killed midway (a redelivered request) left open uploads behind: they go before anything new.
            int discarded = e.getValue().discardIncomplete(StorageLayout.backupFolder(plan.backupId()));
            if (discarded > 0) {
                LOG.infof("storage %s: discarded %d upload(s) of backup %s left by an interrupted run", e.getKey(),
                        discarded, plan.backupId());
            }
        }
        ServerFacts facts = ServerFacts.ask(tools);
        OffsetDateTime startTime = now();
        Map<String, ObjectUpload> uploads = new LinkedHashMap<>();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "backup-progress");
            t.setDaemon(true);
            return t;
        });
        ParallelFanOut fanOut = null;
        try (PgBaseBackup pg = PgBaseBackup.start(tools, "stowage " + plan.backupId(), settings.maxRate())) {
            for (var e : todo.entrySet()) {
                uploads.put(e.getKey(), e.getValue().upload(archiveKey));
            }
            listener.started(plan);
            AtomicLong read = new AtomicLong();
            long[] last = {0, System.nanoTime()};
            long interval = settings.progressInterval().toMillis();
            ticker.scheduleAtFixedRate(() -> {
                long now = System.nanoTime();
                long bytes = read.get();
                long rate = (long) ((bytes - last[0]) / ((now - last[1]) / 1e9));
                last[0] = bytes;
                last[1] = now;
                listener.progress(plan, bytes, facts.databaseBytes(), rate);
            }, interval, interval, TimeUnit.MILLISECONDS);

            fanOut = new ParallelFanOut(uploads);
            long tarBytes;
            try (ZstdOutputStream zstd = new ZstdOutputStream(fanOut, settings.zstdLevel())) {
                if (settings.zstdWorkers() > 0) {
                    zstd.setWorkers(settings.zstdWorkers());
                }
                tarBytes = copy(pg.stream(), zstd, read);
            }
            pg.awaitSuccess();
            // Reading is done; the ticker goes on reporting while the last parts and the manifests are written.
            listener.progress(plan, tarBytes, facts.databaseBytes(), 0);

            completeAll(uploads);
            OffsetDateTime stopTime = now();
            BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, plan.backupId(), plan.cluster(),
                    List.copyOf(storages.keySet()), pg.startLsn(), pg.stopLsn(), StorageLayout.timelineHex(pg.timeline()),
                    startTime, stopTime, facts.systemIdentifier(), facts.version(), facts.databaseBytes(), tarBytes,
                    "zstd:" + settings.zstdLevel(),
                    List.of(new BackupManifest.StoredObject(StorageLayout.BASE_ARCHIVE, fanOut.bytes(), fanOut.sha256Hex())),
                    requestId, correlationId);
            writeManifests(todo, manifestKey, manifest.toJson());
            return new Result(manifest, false);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (fanOut != null) {
                fanOut.cancel();
            }
            cleanUp(todo, uploads, archiveKey, manifestKey);
            throw e;
        } finally {
            ticker.shutdownNow();
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

    private static void completeAll(Map<String, ObjectUpload> uploads) throws IOException {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (var e : uploads.entrySet()) {
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    e.getValue().complete();
                } catch (IOException x) {
                    throw new CompletionException(new IOException("storage " + e.getKey() + ": " + x.getMessage(), x));
                }
            }));
        }
        join(all);
    }

    private static void writeManifests(Map<String, BackupStorage> storages, String key, byte[] manifest)
            throws IOException {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (var e : storages.entrySet()) {
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    e.getValue().writeSmall(key, manifest);
                } catch (IOException x) {
                    throw new CompletionException(new IOException("storage " + e.getKey()
                            + ": cannot write the manifest: " + x.getMessage(), x));
                }
            }));
        }
        join(all);
    }

    private static void join(List<CompletableFuture<Void>> all) throws IOException {
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /**
     * After a failure: abort open uploads, and remove an archive that completed on a storage whose manifest is
     * missing, so nothing half-made stays behind. A manifest already written stays: that storage's copy is whole.
     */
    private static void cleanUp(Map<String, BackupStorage> storages, Map<String, ObjectUpload> uploads,
                                String archiveKey, String manifestKey) {
        for (var e : uploads.entrySet()) {
            try {
                e.getValue().abort();
            } catch (IOException | RuntimeException x) {
                LOG.warnf("storage %s: could not abort the upload of %s: %s", e.getKey(), archiveKey, x.getMessage());
            }
        }
        for (var e : storages.entrySet()) {
            try {
                if (e.getValue().stat(manifestKey).isEmpty()) {
                    e.getValue().delete(archiveKey);
                }
            } catch (IOException | RuntimeException x) {
                LOG.warnf("storage %s: could not remove the incomplete %s: %s", e.getKey(), archiveKey, x.getMessage());
            }
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    }
}
