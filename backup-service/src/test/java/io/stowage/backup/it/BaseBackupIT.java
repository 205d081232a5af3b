package io.stowage.backup.it;

import io.stowage.bus.KafkaEventPublisher;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.BusReader;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupProgress;
import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.S3ProxyServer;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import io.stowage.localstack.SharedS3;
import io.stowage.localstack.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * backup-service against a real PostgreSQL, a real Kafka broker and a real S3 server: backups land on a filesystem
 * storage and on S3 at once, and come back with PostgreSQL's own tools only.
 */
class BaseBackupIT {
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final String BUCKET = "backups-it";

    static Path work;
    static String bootstrap;
    static S3ProxyServer s3;
    static PostgresCluster pg;
    static ServiceProcess service;
    static KafkaEventPublisher publisher;
    static Path fsStorage;
    static String cluster;
    static String originalChecksum;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("backup-it");
        bootstrap = SharedKafka.bootstrapServers();
        s3 = SharedS3.http();
        s3.createBucket(BUCKET);
        pg = PostgresCluster.start(work.resolve("pg"));
        pg.createSampleData(200_000);
        originalChecksum = pg.checksum(PostgresCluster.SAMPLE_TABLE);

        Path secrets = Files.createDirectories(work.resolve("secrets"));
        BackupFixture.writeSecret(secrets, "s3-creds", "AWS_ACCESS_KEY_ID", s3.accessKeyId());
        BackupFixture.writeSecret(secrets, "s3-creds", "AWS_SECRET_ACCESS_KEY", s3.secretAccessKey());
        BackupFixture.writeSecret(secrets, "wrong-ca", "ca.crt",
                Files.readString(TestCertificates.unrelatedCaPem(work.resolve("wrong-ca"))));

        fsStorage = Files.createDirectories(work.resolve("fs-storage"));
        cluster = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        BackupFixture.publishTopology(bootstrap, cluster, pg, "s3", Map.of(
                "s3", BackupFixture.s3(s3, BUCKET, null),
                "local", BackupFixture.filesystem(fsStorage)));

        publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "backup-it");
        service = new ServiceProcess(JAR, Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "stowage.secrets-folder", secrets.toString(),
                "stowage.instance-id", "it-" + cluster,
                "stowage.backup.progress-interval", "500ms"), work.resolve("backup-service.log")).start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void oneBackupOnBothStoragesRestoresWithPostgresOwnTools() throws Exception {
        String backupId = "b-" + UUID.randomUUID().toString().substring(0, 8);
        List<Envelope<?>> events;
        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false)) {
            Envelope<?> request = BackupFixture.request(publisher, cluster, List.of("local", "s3"), backupId);
            events = BackupFixture.awaitEvents(reader, request.correlationId(), Duration.ofMinutes(3),
                    seen -> seen.stream().anyMatch(e -> e.type() == EventType.BACKUP_COMPLETED
                            || e.type() == EventType.BACKUP_FAILED));
        }
        assertThat(events).extracting(Envelope::type).doesNotContain(EventType.BACKUP_FAILED)
                .contains(EventType.BACKUP_STARTED, EventType.BACKUP_COMPLETED);
        BackupCompleted done = (BackupCompleted) events.stream().filter(e -> e.type() == EventType.BACKUP_COMPLETED)
                .findFirst().orElseThrow().data();
        assertThat(done.storages()).containsExactly("local", "s3");
        assertThat(done.startLsn()).matches("[0-9A-F]+/[0-9A-F]+");
        assertThat(done.timeline()).isEqualTo("00000001");
        assertThat(done.storedBytes()).isPositive().isLessThan(done.sizeBytes());

        // From the filesystem storage: plain files, standard tools.
        Path fsArchive = fsStorage.resolve("stowage").resolve(cluster).resolve("backups").resolve(backupId)
                .resolve("base.tar.zst");
        assertThat(fsStorage.resolve("stowage/" + cluster + "/backups/" + backupId + "/stowage.json")).exists();
        assertRestores(fsArchive, work.resolve("restore-fs"));

        // From S3: downloaded with the AWS SDK (not Stowage), then the same standard tools.
        Path s3Archive = work.resolve("from-s3.tar.zst");
        try (S3Client client = client()) {
            client.getObject(b -> b.bucket(BUCKET).key("stowage/" + cluster + "/backups/" + backupId + "/base.tar.zst"),
                    ResponseTransformer.toFile(s3Archive));
            assertThat(keys(client, "stowage/" + cluster + "/backups/" + backupId + "/"))
                    .contains("stowage/" + cluster + "/backups/" + backupId + "/stowage.json");
        }
        assertThat(Files.mismatch(fsArchive, s3Archive)).as("one read, one compression: identical copies").isEqualTo(-1);
        assertRestores(s3Archive, work.resolve("restore-s3"));
    }

    @Test
    void aRedeliveredRequestMakesNoSecondBackup() throws Exception {
        String backupId = "redelivered-" + UUID.randomUUID().toString().substring(0, 8);
        Path manifest = fsStorage.resolve("stowage/" + cluster + "/backups/" + backupId + "/stowage.json");
        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false)) {
            Envelope<?> first = BackupFixture.request(publisher, cluster, List.of("local"), backupId);
            BackupFixture.awaitEvents(reader, first.correlationId(), Duration.ofMinutes(2),
                    seen -> seen.stream().anyMatch(e -> e.type() == EventType.BACKUP_COMPLETED));
            byte[] before = Files.readAllBytes(manifest);
            var modified = Files.getLastModifiedTime(manifest.resolveSibling("base.tar.zst"));

            Envelope<?> again = BackupFixture.request(publisher, cluster, List.of("local"), backupId);
            List<Envelope<?>> second = BackupFixture.awaitEvents(reader, again.correlationId(), Duration.ofMinutes(2),
                    seen -> seen.stream().anyMatch(e -> e.type() == EventType.BACKUP_COMPLETED));

            assertThat(second).extracting(Envelope::type).doesNotContain(EventType.BACKUP_STARTED);
            assertThat(Files.readAllBytes(manifest)).isEqualTo(before);
            assertThat(Files.getLastModifiedTime(manifest.resolveSibling("base.tar.zst"))).isEqualTo(modified);
        }
    }

    @Test
    void aRedeliveryAfterAKillBetweenTheManifestWritesCompletesTheBackupAsItsFirstRunDefinedIt() throws Exception {
        String backupId = "half-" + UUID.randomUUID().toString().substring(0, 8);
        String folder = "stowage/" + cluster + "/backups/" + backupId + "/";
        Path localManifest = fsStorage.resolve(folder + "stowage.json");
        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false)) {
            Envelope<?> request = BackupFixture.request(publisher, cluster, List.of("local", "s3"), backupId);
            BackupCompleted first = completed(BackupFixture.awaitEvents(reader, request.correlationId(),
                    Duration.ofMinutes(2), BaseBackupIT::answered));
            // Killed between the parallel manifest writes: local's is written, s3's is not.
            try (S3Client client = client()) {
                client.deleteObject(b -> b.bucket(BUCKET).key(folder + "stowage.json"));
            }

            Envelope<?> again = BackupFixture.request(publisher, cluster, List.of("local", "s3"), backupId);
            List<Envelope<?>> events = BackupFixture.awaitEvents(reader, again.correlationId(), Duration.ofMinutes(2),
                    BaseBackupIT::answered);

            assertThat(events).extracting(Envelope::type).as("the database is not read again")
                    .doesNotContain(EventType.BACKUP_STARTED, EventType.BACKUP_FAILED);
            BackupCompleted second = completed(events);
            assertThat(second.storages()).containsExactly("local", "s3");
            assertThat(second).usingRecursiveComparison().as("the backup the first run took, on both storages")
                    .isEqualTo(first);
        }
        try (S3Client client = client()) {
            assertThat(client.getObjectAsBytes(b -> b.bucket(BUCKET).key(folder + "stowage.json")).asByteArray())
                    .isEqualTo(Files.readAllBytes(localManifest));
            Path s3Archive = work.resolve(backupId + "-from-s3.tar.zst");
            client.getObject(b -> b.bucket(BUCKET).key(folder + "base.tar.zst"), ResponseTransformer.toFile(s3Archive));
            assertThat(Files.mismatch(fsStorage.resolve(folder + "base.tar.zst"), s3Archive)).isEqualTo(-1);
        }
    }

    private static boolean answered(List<Envelope<?>> events) {
        return events.stream().anyMatch(e -> e.type() == EventType.BACKUP_COMPLETED
                || e.type() == EventType.BACKUP_FAILED);
    }

    private static BackupCompleted completed(List<Envelope<?>> events) {
        return (BackupCompleted) events.stream().filter(e -> e.type() == EventType.BACKUP_COMPLETED).findFirst()
                .orElseThrow(() -> new AssertionError("no backup.completed.v1 in " + events)).data();
    }

    @Test
    void aSecondRequestForTheSameClusterWaitsItsTurn() throws Exception {
        String first = "turn-1-" + UUID.randomUUID().toString().substring(0, 8);
        String second = "turn-2-" + UUID.randomUUID().toString().substring(0, 8);
        List<BusReader.Read> reads = new java.util.ArrayList<>();
        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false)) {
            BackupFixture.request(publisher, cluster, List.of("local"), first);
            BackupFixture.request(publisher, cluster, List.of("local"), second);
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> {
                reader.poll(Duration.ofMillis(200)).stream().filter(BusReader.Read::valid).forEach(reads::add);
                return reads.stream().filter(r -> r.event().data() instanceof BackupCompleted c
                        && (c.backupId().equals(first) || c.backupId().equals(second))).count() == 2;
            });
        }
        // One cluster, one partition: offsets order its events. The second starts after the first completes.
        long firstCompleted = offsetOf(reads, EventType.BACKUP_COMPLETED, first);
        long secondStarted = offsetOf(reads, EventType.BACKUP_STARTED, second);
        assertThat(secondStarted).isGreaterThan(firstCompleted);
        assertThat(reads).noneMatch(r -> r.event().data() instanceof BackupFailed);
    }

    private static long offsetOf(List<BusReader.Read> reads, EventType type, String backupId) {
        return reads.stream().filter(r -> r.event().type() == type)
                .filter(r -> (r.event().data() instanceof BackupCompleted c && c.backupId().equals(backupId))
                        || (r.event().data() instanceof io.stowage.events.data.BackupStarted s
                        && s.backupId().equals(backupId)))
                .mapToLong(r -> r.record().offset()).findFirst().orElseThrow();
    }

    @Test
    void anUnknownStorageFailsTheBackupAndWritesNothing() throws Exception {
        String backupId = "unknown-" + UUID.randomUUID().toString().substring(0, 8);
        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false)) {
            Envelope<?> request = BackupFixture.request(publisher, cluster, List.of("local", "nas"), backupId);
            List<Envelope<?>> events = BackupFixture.awaitEvents(reader, request.correlationId(), Duration.ofSeconds(60),
                    seen -> seen.stream().anyMatch(e -> e.type() == EventType.BACKUP_FAILED));
            BackupFailed failed = (BackupFailed) events.stream().filter(e -> e.type() == EventType.BACKUP_FAILED)
                    .findFirst().orElseThrow().data();
            assertThat(failed.reason()).isEqualTo("unknown storage nas for cluster " + cluster
                    + " (its storages: local, s3)");
            assertThat(failed.backupId()).isEqualTo(backupId);
        }
        assertThat(fsStorage.resolve("stowage/" + cluster + "/backups/" + backupId)).doesNotExist();
    }

    @Test
    void aWrongCaBundleFailsTheBackupWithAClearReason() throws Exception {
        S3ProxyServer https = SharedS3.https();
        https.createBucket(BUCKET);
        String other = cluster + "-tls";
        BackupFixture.publishTopology(bootstrap, other, pg, "s3", Map.of("s3", BackupFixture.s3(https, BUCKET, "wrong-ca")));
        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false)) {
            Envelope<?> request = BackupFixture.request(publisher, other, null, "tls-" + UUID.randomUUID());
            List<Envelope<?>> events = BackupFixture.awaitEvents(reader, request.correlationId(), Duration.ofSeconds(90),
                    seen -> seen.stream().anyMatch(e -> e.type() == EventType.BACKUP_FAILED
                            || e.type() == EventType.BACKUP_COMPLETED));
            assertThat(events).extracting(Envelope::type).contains(EventType.BACKUP_FAILED)
                    .doesNotContain(EventType.BACKUP_COMPLETED);
            BackupFailed failed = (BackupFailed) events.stream().filter(e -> e.type() == EventType.BACKUP_FAILED)
                    .findFirst().orElseThrow().data();
            assertThat(failed.reason()).containsIgnoringCase("certificate").contains("s3");
        }
    }

    @Test
    void aBackupWhoseDatabaseGoesAwayLeavesNoManifestAndNothingHalfWritten() throws Exception {
        // Its own database, throttled, so that it can be stopped while the backup reads it.
        PostgresCluster doomed = PostgresCluster.start(work.resolve("pg-doomed"));
        doomed.createSampleData(300_000);
        String other = cluster + "-doomed";
        BackupFixture.publishTopology(bootstrap, other, doomed, "s3", Map.of(
                "s3", BackupFixture.s3(s3, BUCKET, null), "local", BackupFixture.filesystem(fsStorage)));
        String backupId = "killed-" + UUID.randomUUID().toString().substring(0, 8);
        ServiceProcess slow = new ServiceProcess(JAR, Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "stowage.secrets-folder", work.resolve("secrets").toString(),
                "stowage.instance-id", "it-slow-" + other,
                "stowage.backup.max-rate", "1M",
                "stowage.backup.progress-interval", "500ms"), work.resolve("backup-service-slow.log"));
        List<Envelope<?>> events;
        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false)) {
            service.stop(); // the throttled instance takes this request
            slow.start();
            Envelope<?> request = BackupFixture.request(publisher, other, List.of("local", "s3"), backupId);
            BackupFixture.awaitEvents(reader, request.correlationId(), Duration.ofMinutes(2),
                    seen -> seen.stream().anyMatch(e -> e.data() instanceof BackupProgress p && p.bytesDone() > 0));
            doomed.stop();
            events = BackupFixture.awaitEvents(reader, request.correlationId(), Duration.ofMinutes(2),
                    seen -> seen.stream().anyMatch(e -> e.type() == EventType.BACKUP_FAILED
                            || e.type() == EventType.BACKUP_COMPLETED));
        } finally {
            slow.stop();
            service.start();
            doomed.close();
        }
        assertThat(events).extracting(Envelope::type).contains(EventType.BACKUP_FAILED)
                .doesNotContain(EventType.BACKUP_COMPLETED);
        assertThat(((BackupFailed) events.stream().filter(e -> e.type() == EventType.BACKUP_FAILED).findFirst()
                .orElseThrow().data()).reason()).contains("pg_basebackup");
        assertThat(fsStorage.resolve("stowage/" + other + "/backups/" + backupId + "/stowage.json")).doesNotExist();
        assertThat(fsStorage.resolve("stowage/" + other + "/backups/" + backupId + "/base.tar.zst")).doesNotExist();
        try (S3Client client = client()) {
            assertThat(keys(client, "stowage/" + other + "/backups/" + backupId + "/")).isEmpty();
            assertThat(client.listMultipartUploads(ListMultipartUploadsRequest.builder().bucket(BUCKET)
                    .prefix("stowage/" + other + "/").build()).uploads()).as("no orphaned multipart upload").isEmpty();
        }
    }

    @Test
    void aBackupServiceKilledMidBackupRetakesTheBackupWhenRestartedAndLeavesNoOrphan() throws Exception {
        String backupId = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> throttled = Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "stowage.secrets-folder", work.resolve("secrets").toString(),
                "stowage.instance-id", "it-crash-" + cluster,
                "stowage.backup.max-rate", "2M",
                "stowage.storage.part-size-mib", "5",
                "stowage.backup.progress-interval", "500ms");
        ServiceProcess crashing = new ServiceProcess(JAR, throttled, work.resolve("backup-service-crash.log"));
        ServiceProcess restarted = new ServiceProcess(JAR, Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "stowage.secrets-folder", work.resolve("secrets").toString(),
                "stowage.instance-id", "it-crash-" + cluster), work.resolve("backup-service-restarted.log"));
        List<Envelope<?>> events;
        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false)) {
            service.stop();
            crashing.start();
            Envelope<?> request = BackupFixture.request(publisher, cluster, List.of("local", "s3"), backupId);
            // Wait until a multipart upload is open on S3, then kill the service: it cannot abort anything.
            BackupFixture.awaitEvents(reader, request.correlationId(), Duration.ofMinutes(2),
                    seen -> seen.stream().anyMatch(e -> e.data() instanceof BackupProgress p && p.bytesDone() > 0));
            try (S3Client client = client()) {
                org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> !client.listMultipartUploads(
                        ListMultipartUploadsRequest.builder().bucket(BUCKET).prefix("stowage/" + cluster + "/backups/"
                                + backupId + "/").build()).uploads().isEmpty());
            }
            crashing.kill();
            assertThat(fsStorage.resolve("stowage/" + cluster + "/backups/" + backupId + "/stowage.json")).doesNotExist();

            // The request was never acknowledged: a restarted service gets it again and takes the backup.
            restarted.start();
            events = BackupFixture.awaitEvents(reader, request.correlationId(), Duration.ofMinutes(3),
                    seen -> seen.stream().anyMatch(e -> e.type() == EventType.BACKUP_COMPLETED
                            || e.type() == EventType.BACKUP_FAILED));
        } finally {
            crashing.close();
            restarted.stop();
            service.start();
        }
        assertThat(events).extracting(Envelope::type).contains(EventType.BACKUP_COMPLETED)
                .doesNotContain(EventType.BACKUP_FAILED);
        assertThat(fsStorage.resolve("stowage/" + cluster + "/backups/" + backupId + "/stowage.json")).exists();
        try (S3Client client = client()) {
            assertThat(client.listMultipartUploads(ListMultipartUploadsRequest.builder().bucket(BUCKET)
                    .prefix("stowage/" + cluster + "/").build()).uploads()).as("no orphaned multipart upload").isEmpty();
            assertThat(keys(client, "stowage/" + cluster + "/backups/" + backupId + "/"))
                    .containsExactly("stowage/" + cluster + "/backups/" + backupId + "/base.tar.zst",
                            "stowage/" + cluster + "/backups/" + backupId + "/stowage.json");
        }
        assertRestores(fsStorage.resolve("stowage/" + cluster + "/backups/" + backupId + "/base.tar.zst"),
                work.resolve("restore-after-crash"));
    }

    /** zstd -d | tar -x, pg_verifybackup, start a server on it: the data is what was backed up. */
    private static void assertRestores(Path archive, Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        run("bash", "-c", "zstd -d -c '" + archive + "' | tar -x -C '" + data + "'");
        run(pg.binDirectory().resolve("pg_verifybackup").toString(), data.toString());
        try (PostgresCluster restored = PostgresCluster.startExisting(data, dir)) {
            assertThat(restored.checksum(PostgresCluster.SAMPLE_TABLE)).isEqualTo(originalChecksum);
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }

    private static S3Client client() {
        return S3Client.builder().endpointOverride(s3.endpoint()).region(Region.of(s3.region()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKeyId(),
                        s3.secretAccessKey())))
                .build();
    }

    private static List<String> keys(S3Client client, String prefix) {
        return client.listObjectsV2(ListObjectsV2Request.builder().bucket(BUCKET).prefix(prefix).build())
                .contents().stream().map(S3Object::key).toList();
    }
}
