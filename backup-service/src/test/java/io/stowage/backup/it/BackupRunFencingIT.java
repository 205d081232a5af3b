package io.stowage.backup.it;

import io.stowage.backup.pipeline.BackupListener;
import io.stowage.backup.pipeline.BackupPlan;
import io.stowage.backup.pipeline.BaseBackupRun;
import io.stowage.backup.postgres.PostgresTools;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.S3ProxyServer;
import io.stowage.localstack.SharedS3;
import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.SecretsFolder;
import io.stowage.storage.StorageLayout;
import io.stowage.storage.StorageTuning;
import io.stowage.storage.Storages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Runs of one backup that overlap (a request taken over while its first runner still writes), against a real
 * PostgreSQL, a real S3 server and a folder: whatever the runs do, a backup reported complete is whole on every
 * storage, as its manifest says, and no run's leftovers stay.
 */
class BackupRunFencingIT {
    static final String BUCKET = "fencing-it";
    static final StorageTuning SMALL_PARTS = StorageTuning.DEFAULTS.withPartSize(5 << 20);

    static Path work;
    static S3ProxyServer s3;
    static PostgresCluster pg;
    static Path fsStorage;
    static SecretsFolder secrets;
    static String cluster;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("backup-fencing-it");
        s3 = SharedS3.http();
        s3.createBucket(BUCKET);
        // pg_basebackup -X fetch collects its WAL at the end: the server keeps it while two backups run at once.
        pg = PostgresCluster.start(work.resolve("pg"), Map.of("wal_keep_size", "'1GB'"));
        pg.createSampleData(300_000);
        Path folder = Files.createDirectories(work.resolve("secrets"));
        BackupFixture.writeSecret(folder, "s3-creds", "AWS_ACCESS_KEY_ID", s3.accessKeyId());
        BackupFixture.writeSecret(folder, "s3-creds", "AWS_SECRET_ACCESS_KEY", s3.secretAccessKey());
        secrets = new SecretsFolder(folder);
        fsStorage = Files.createDirectories(work.resolve("fs-storage"));
        cluster = "fence-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void twoRunsOfOneBackupAtOnceLeaveOneWholeBackupThatBothReport() throws Exception {
        String backupId = "twice-" + UUID.randomUUID().toString().substring(0, 8);
        Progress first = new Progress();
        Progress second = new Progress();
        // Throttled, so that the second run starts while the first has parts in flight on S3 and a partial file.
        CompletableFuture<BaseBackupRun.Result> a = CompletableFuture.supplyAsync(() -> run(backupId, "3M", first));
        await().atMost(Duration.ofMinutes(1)).until(() -> first.read.get() > 16 << 20 || a.isDone());
        CompletableFuture<BaseBackupRun.Result> b = CompletableFuture.supplyAsync(() -> run(backupId, "3M", second));
        List<Object> outcomes = new ArrayList<>();
        for (CompletableFuture<BaseBackupRun.Result> run : List.of(a, b)) {
            try {
                outcomes.add(run.join().manifest());
            } catch (CompletionException e) {
                outcomes.add(e.getCause());
            }
        }

        Map<String, BackupManifest> stored = storedManifests(backupId);
        assertThat(stored).as("a manifest on every storage").containsOnlyKeys("local", "s3");
        assertThat(stored.get("s3").objects()).isEqualTo(stored.get("local").objects());
        for (var e : stored.entrySet()) {
            assertArchiveMatches(e.getKey(), backupId, e.getValue());
        }
        // Both runs report the one backup that is on the storages: the second adopts what the first made.
        assertThat(outcomes).as("each run's outcome").allSatisfy(outcome -> {
            assertThat(outcome).isInstanceOf(BackupManifest.class);
            BackupManifest m = (BackupManifest) outcome;
            assertThat(m.startLsn()).isEqualTo(stored.get("local").startLsn());
            assertThat(m.stopLsn()).isEqualTo(stored.get("local").stopLsn());
            assertThat(m.objects()).isEqualTo(stored.get("local").objects());
        });
        assertNoLeftovers(backupId);
    }

    @Test
    void anArchiveThatNoLongerMatchesItsManifestIsNeverReportedComplete() throws Exception {
        String backupId = "changed-" + UUID.randomUUID().toString().substring(0, 8);
        run(backupId, null, new Progress());
        Path archive = fsStorage.resolve("stowage/" + cluster + "/" + StorageLayout.baseArchive(backupId));
        long size = Files.size(archive);
        try (var file = Files.newByteChannel(archive, StandardOpenOption.WRITE)) {
            file.position(size / 2);
            file.write(java.nio.ByteBuffer.wrap(new byte[] {0x55, 0x55, 0x55, 0x55}));
        }

        // The request comes again (its first runner was killed before it answered): the manifests are there.
        assertThatThrownBy(() -> run(backupId, null, new Progress())).hasRootCauseInstanceOf(IOException.class)
                .rootCause().hasMessageContaining("local").hasMessageContaining(StorageLayout.BASE_ARCHIVE)
                .hasMessageContaining("SHA-256");
    }

    @Test
    void aRedeliveryWhereOneStorageHasNoArchiveCopiesTheBackupTheFirstRunMadeThere() throws Exception {
        String backupId = "copied-" + UUID.randomUUID().toString().substring(0, 8);
        BackupManifest first = run(backupId, null, new Progress()).manifest();
        // Killed before the archive and the manifest were on S3 (here: both removed), after they were on local.
        Map<String, BackupStorage> storages = open();
        try {
            storages.get("s3").delete(StorageLayout.manifest(backupId));
            storages.get("s3").delete(StorageLayout.baseArchive(backupId));
        } finally {
            storages.values().forEach(BackupStorage::close);
        }

        Progress again = new Progress();
        BackupManifest second = run(backupId, null, again).manifest();

        assertThat(again.started).as("the database is not read again").isFalse();
        assertThat(second).isEqualTo(first);
        assertThat(storedManifests(backupId)).containsOnlyKeys("local", "s3").allSatisfy((name, m) ->
                assertThat(m).isEqualTo(first));
        assertArchiveMatches("s3", backupId, first);
        assertNoLeftovers(backupId);
    }

    @Test
    void aRunLongerThanMaxDurationIsStoppedAndLeavesNothing() throws Exception {
        String backupId = "slow-" + UUID.randomUUID().toString().substring(0, 8);

        assertThatThrownBy(() -> run(backupId, "1M", Duration.ofSeconds(4), new Progress()))
                .isInstanceOf(CompletionException.class).cause()
                .hasMessage("backup " + backupId + " ran longer than stowage.backup.max-duration (4s) and was stopped");

        Path folder = fsStorage.resolve("stowage/" + cluster + "/backups/" + backupId);
        if (Files.exists(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                assertThat(files).isEmpty();
            }
        }
        Map<String, BackupStorage> storages = open();
        try (Stream<io.stowage.storage.ObjectInfo> keys = storages.get("s3").list(StorageLayout.backupFolder(backupId))) {
            assertThat(keys).isEmpty();
            assertThat(storages.get("s3").discardIncomplete(StorageLayout.backupFolder(backupId))).isZero();
        } finally {
            storages.values().forEach(BackupStorage::close);
        }
    }

    private static BaseBackupRun.Result run(String backupId, String maxRate, BackupListener listener) {
        return run(backupId, maxRate, Duration.ofMinutes(10), listener);
    }

    private static BaseBackupRun.Result run(String backupId, String maxRate, Duration maxDuration,
                                            BackupListener listener) {
        Map<String, BackupStorage> storages = open();
        try {
            BaseBackupRun run = new BaseBackupRun(new BaseBackupRun.Settings(1, 2, Duration.ofMillis(500), maxRate,
                    maxDuration, Duration.ofSeconds(30)));
            return run.run(plan(backupId), storages, new PostgresTools(postgres(), null), "req-" + backupId,
                    "corr-" + backupId, listener);
        } catch (IOException e) {
            throw new CompletionException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } finally {
            storages.values().forEach(BackupStorage::close);
        }
    }

    private static BackupPlan plan(String backupId) {
        Map<String, StorageSpec> specs = new LinkedHashMap<>();
        specs.put("local", BackupFixture.filesystem(fsStorage));
        specs.put("s3", BackupFixture.s3(s3, BUCKET, null));
        return new BackupPlan(cluster, backupId, postgres(), specs);
    }

    private static PostgresSpec postgres() {
        return new PostgresSpec(pg.host(), pg.port(), "postgres", null, null, pg.binDirectory().toString(), null);
    }

    private static Map<String, BackupStorage> open() {
        Map<String, BackupStorage> storages = new LinkedHashMap<>();
        plan("x").storages().forEach((name, spec) -> storages.put(name,
                Storages.open(cluster, name, spec, secrets, SMALL_PARTS)));
        return storages;
    }

    private static Map<String, BackupManifest> storedManifests(String backupId) throws IOException {
        Map<String, BackupManifest> manifests = new LinkedHashMap<>();
        Map<String, BackupStorage> storages = open();
        try {
            for (var e : storages.entrySet()) {
                if (e.getValue().stat(StorageLayout.manifest(backupId)).isPresent()) {
                    manifests.put(e.getKey(), BackupManifest.parse(e.getValue().readSmall(StorageLayout.manifest(backupId))));
                }
            }
        } finally {
            storages.values().forEach(BackupStorage::close);
        }
        return manifests;
    }

    /** The archive's bytes, read whole, are what the manifest says they are. */
    private static void assertArchiveMatches(String name, String backupId, BackupManifest manifest) throws Exception {
        Map<String, BackupStorage> storages = open();
        try (InputStream in = storages.get(name).download(StorageLayout.baseArchive(backupId))) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long size = 0;
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                size += n;
            }
            BackupManifest.StoredObject archive = manifest.objects().get(0);
            assertThat(size).as(name + ": size").isEqualTo(archive.sizeBytes());
            assertThat(HexFormat.of().formatHex(sha.digest())).as(name + ": SHA-256").isEqualTo(archive.sha256());
        } finally {
            storages.values().forEach(BackupStorage::close);
        }
    }

    /** No partial file, no open multipart upload: only the archive and the manifest. */
    private static void assertNoLeftovers(String backupId) throws IOException {
        try (Stream<Path> files = Files.list(fsStorage.resolve("stowage/" + cluster + "/backups/" + backupId))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder(
                    StorageLayout.BASE_ARCHIVE, StorageLayout.MANIFEST);
        }
        Map<String, BackupStorage> storages = open();
        try (Stream<io.stowage.storage.ObjectInfo> keys = storages.get("s3").list(StorageLayout.backupFolder(backupId))) {
            assertThat(keys.map(io.stowage.storage.ObjectInfo::key)).containsExactlyInAnyOrder(
                    StorageLayout.baseArchive(backupId), StorageLayout.manifest(backupId));
            assertThat(storages.get("s3").discardIncomplete(StorageLayout.backupFolder(backupId)))
                    .as("open multipart uploads left").isZero();
        } finally {
            storages.values().forEach(BackupStorage::close);
        }
    }

    /** A listener that counts what the run read. */
    static final class Progress implements BackupListener {
        final AtomicLong read = new AtomicLong();
        volatile boolean started;

        @Override
        public void started(BackupPlan plan) {
            started = true;
        }

        @Override
        public void progress(BackupPlan plan, long bytesDone, long bytesTotalEstimate, long bytesPerSecond) {
            read.set(bytesDone);
        }
    }
}
