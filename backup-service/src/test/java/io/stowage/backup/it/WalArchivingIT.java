package io.stowage.backup.it;

import io.stowage.bus.KafkaEventPublisher;

import io.stowage.bus.KafkaConnection;

import io.stowage.backup.wal.ClusterArchiver;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.data.WalArchived;
import io.stowage.events.data.WalLag;
import io.stowage.events.spec.StorageSpec;
import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.S3ProxyServer;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import io.stowage.localstack.SharedS3;
import io.stowage.postgres.WalSegments;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * WAL archiving against a real PostgreSQL under write load, a real Kafka broker and a real S3 server: every segment
 * from the slot's start reaches the main storage (only), decompresses to what PostgreSQL wrote and reads with
 * pg_waldump; the chain continues across a main change; a storage that stops answering is survived; a restore's
 * pause and resume leave no gap. Several clusters share one PostgreSQL: each has its own slot.
 */
class WalArchivingIT {
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final String BUCKET = "wal-it";
    static final int QUEUE_LIMIT_MIB = 64;

    static Path work;
    static String bootstrap;
    static S3ProxyServer s3;
    static PostgresCluster pg;
    static ServiceProcess service;
    static final Duration PAUSE_LEASE = Duration.ofSeconds(40);
    static KafkaEventPublisher publisher;
    static WalEventLog events;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("wal-it");
        bootstrap = SharedKafka.bootstrapServers();
        s3 = SharedS3.http();
        s3.createBucket(BUCKET);
        pg = PostgresCluster.start(work.resolve("pg"));
        // Keeps every WAL file in pg_wal from now on, so archived segments can be compared with PostgreSQL's own.
        pg.psql("select pg_create_physical_replication_slot('it_keep', true)");

        Path secrets = Files.createDirectories(work.resolve("secrets"));
        BackupFixture.writeSecret(secrets, "s3-creds", "AWS_ACCESS_KEY_ID", s3.accessKeyId());
        BackupFixture.writeSecret(secrets, "s3-creds", "AWS_SECRET_ACCESS_KEY", s3.secretAccessKey());

        publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "wal-it");
        events = new WalEventLog(bootstrap);
        service = new ServiceProcess(JAR, Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "stowage.secrets-folder", secrets.toString(),
                "stowage.instance-id", "wal-it",
                "stowage.wal.spool-folder", work.resolve("spool").toString(),
                "stowage.wal.queue-limit-mib", String.valueOf(QUEUE_LIMIT_MIB),
                "stowage.wal.lag-alert", "2s",
                "stowage.wal.max-backoff", "1s",
                // Short, for the lapse test; the hand-made pauses of the other tests are resumed well within it.
                "stowage.wal.pause-lease", PAUSE_LEASE.toSeconds() + "s"), work.resolve("backup-service.log")).start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (service != null) {
            service.close();
        }
        if (events != null) {
            events.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void everySegmentFromTheSlotStartIsOnTheMainOnlyAndReadsBack() throws Exception {
        String cluster = cluster("main");
        Path local = Files.createDirectories(work.resolve("main-local"));
        BackupFixture.publishTopology(bootstrap, cluster, pg, "local", Map.of(
                "local", BackupFixture.filesystem(local),
                "s3", BackupFixture.s3(s3, BUCKET, null)), true, 1);
        String first = WalChain.awaitSlot(pg, cluster);

        pg.pgbench("-i", "-s", "3", "-q");
        pg.pgbench("-c", "2", "-T", "3", "-n");
        String last = WalChain.switchWal(pg);

        Map<String, WalArchived> archived = events.awaitArchived(cluster, first, last);
        assertThat(archived.values()).extracting(WalArchived::storage).containsOnly("local");
        Path dir = Files.createDirectories(work.resolve("read-back-main"));
        for (String segment : WalChain.range(first, last)) {
            Path copy = dir.resolve(segment);
            WalChain.decompress(Files.newInputStream(walFile(local, cluster, segment)), copy);
            assertThat(WalChain.sha256(copy)).as(segment).isEqualTo(archived.get(segment).sha256())
                    .isEqualTo(WalChain.sha256(pg.dataDirectory().resolve("pg_wal").resolve(segment)));
            assertThat(archived.get(segment).storedBytes()).isLessThan(WalChain.SEGMENT_SIZE);
        }
        assertThat(WalChain.waldump(pg, dir, first, last)).startsWith("exit 0");
        try (S3Client client = s3Client()) {
            assertThat(s3Keys(client, "stowage/" + cluster + "/")).as("profiles never receive WAL").isEmpty();
        }
        stopArchiving(cluster, local);
    }

    @Test
    void aMainChangeMovesTheChainToTheNewMainWithoutAGap() throws Exception {
        String cluster = cluster("switch");
        Path local = Files.createDirectories(work.resolve("switch-local"));
        Map<String, StorageSpec> storages = Map.of(
                "local", BackupFixture.filesystem(local),
                "s3", BackupFixture.s3(s3, BUCKET, null));
        BackupFixture.publishTopology(bootstrap, cluster, pg, "local", storages, true, 1);
        String first = WalChain.awaitSlot(pg, cluster);
        pg.pgbench("-i", "-s", "2", "-q");
        String beforeSwitch = WalChain.switchWal(pg);
        events.awaitArchived(cluster, first, beforeSwitch);

        BackupFixture.publishTopology(bootstrap, cluster, pg, "s3", storages, true, 2);
        pg.pgbench("-i", "-s", "2", "-q");
        pg.pgbench("-c", "2", "-T", "2", "-n");
        String last = WalChain.switchWal(pg);
        Map<String, WalArchived> archived = events.awaitArchived(cluster, first, last);

        Path dir = Files.createDirectories(work.resolve("read-back-switch"));
        List<String> onLocal = new ArrayList<>();
        List<String> onS3 = new ArrayList<>();
        try (S3Client client = s3Client()) {
            List<String> s3Wal = s3Keys(client, "stowage/" + cluster + "/wal/");
            for (String segment : WalChain.range(first, last)) {
                String storage = archived.get(segment).storage();
                Path copy = dir.resolve(segment);
                if (storage.equals("local")) {
                    onLocal.add(segment);
                    WalChain.decompress(Files.newInputStream(walFile(local, cluster, segment)), copy);
                } else {
                    onS3.add(segment);
                    WalChain.decompress(client.getObject(b -> b.bucket(BUCKET)
                            .key("stowage/" + cluster + "/wal/00000001/" + segment + ".zst")), copy);
                }
                assertThat(WalChain.sha256(copy)).as(segment).isEqualTo(archived.get(segment).sha256());
            }
            assertThat(s3Wal).as("the new main holds exactly the segments the events say")
                    .containsExactlyInAnyOrderElementsOf(onS3.stream()
                            .map(s -> "stowage/" + cluster + "/wal/00000001/" + s + ".zst").toList());
        }
        try (Stream<Path> files = Files.list(walFolder(local, cluster))) {
            assertThat(files.map(p -> p.getFileName().toString().replace(".zst", "")).toList())
                    .as("the old main holds exactly the segments the events say")
                    .containsExactlyInAnyOrderElementsOf(onLocal);
        }
        assertThat(onLocal).contains(beforeSwitch);
        assertThat(onS3).contains(last);
        assertThat(onLocal.stream().max(String::compareTo).orElseThrow())
                .as("the chain moves once: everything on the old main comes before everything on the new")
                .isLessThan(onS3.stream().min(String::compareTo).orElseThrow());
        assertThat(WalChain.waldump(pg, dir, first, last)).startsWith("exit 0");
        stopArchiving(cluster, local);
    }

    @Test
    void aStorageThatStopsAnsweringFillsABoundedQueueThenCatchesUp() throws Exception {
        String cluster = cluster("outage");
        Path local = Files.createDirectories(work.resolve("outage-local"));
        BackupFixture.publishTopology(bootstrap, cluster, pg, "local",
                Map.of("local", BackupFixture.filesystem(local)), true, 1);
        String first = WalChain.awaitSlot(pg, cluster);
        pg.pgbench("-i", "-s", "1", "-q");
        events.awaitArchived(cluster, first, WalChain.switchWal(pg));

        // The storage breaks: its folder becomes a plain file, which no one (not even root) can write under.
        Path away = work.resolve("outage-local-away");
        Files.move(local, away);
        Files.writeString(local, "not a folder");
        Path spool = work.resolve("spool").resolve(ClusterArchiver.slotName(cluster));
        List<Long> spoolSizes = new CopyOnWriteArrayList<>();
        pg.pgbench("-i", "-s", "8", "-q");
        String last = WalChain.switchWal(pg);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            spoolSizes.add(folderSize(spool));
            assertThat(events.lags(cluster)).anyMatch(l -> l.state().equals(WalLag.LAGGING) && l.queueFull()
                    && l.lastError() != null);
        });
        WalLag full = events.lags(cluster).stream().filter(WalLag::queueFull).findFirst().orElseThrow();
        assertThat(full.queuedBytes()).isLessThanOrEqualTo(full.queueLimitBytes());
        assertThat(full.queueLimitBytes()).isEqualTo((long) QUEUE_LIMIT_MIB << 20);
        spoolSizes.add(folderSize(spool));
        assertThat(spoolSizes).as("the spool never grows past the limit plus the segment being received")
                .allMatch(size -> size <= ((long) QUEUE_LIMIT_MIB << 20) + WalChain.SEGMENT_SIZE);
        assertThat(service.get("/q/metrics")).contains("stowage_wal_lagging{cluster=\"" + cluster + "\"} 1.0");

        Files.delete(local);
        Files.move(away, local);
        Map<String, WalArchived> archived = events.awaitArchived(cluster, first, last);
        await().atMost(Duration.ofSeconds(30)).until(() -> events.lags(cluster).stream()
                .anyMatch(l -> l.state().equals(WalLag.CAUGHT_UP)));
        Path dir = Files.createDirectories(work.resolve("read-back-outage"));
        for (String segment : WalChain.range(first, last)) {
            WalChain.decompress(Files.newInputStream(walFile(local, cluster, segment)), dir.resolve(segment));
            assertThat(archived.get(segment).storage()).isEqualTo("local");
        }
        assertThat(WalChain.waldump(pg, dir, first, last)).startsWith("exit 0");
        stopArchiving(cluster, local);
    }

    @Test
    void aNewTimelineIsArchivedFromItsSwitchPointWithItsHistoryFile() throws Exception {
        // A copy of the cluster that recovers to the end of its WAL and promotes: timeline 2, as after a restore.
        Path copy = work.resolve("timeline-2-data");
        Process basebackup = new ProcessBuilder(pg.binDirectory().resolve("pg_basebackup").toString(), "-h", pg.host(),
                "-p", String.valueOf(pg.port()), "-U", pg.user(), "-D", copy.toString(), "-X", "stream", "-c", "fast")
                .redirectErrorStream(true).redirectOutput(work.resolve("pg_basebackup.log").toFile()).start();
        assertThat(basebackup.waitFor()).isZero();
        Files.writeString(copy.resolve("recovery.signal"), "");
        // No archive: recovery replays what pg_basebackup streamed into pg_wal, then promotes.
        Files.writeString(copy.resolve("postgresql.auto.conf"), "restore_command = 'false'\n",
                java.nio.file.StandardOpenOption.APPEND);
        try (PostgresCluster promoted = PostgresCluster.startExisting(copy, work.resolve("timeline-2"))) {
            // The server takes connections (hot standby) before its promotion ends.
            await().atMost(Duration.ofSeconds(60)).until(() -> promoted.psql("select pg_is_in_recovery()").equals("f"));
            assertThat(promoted.psql("select substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"))
                    .isEqualTo("00000002");
            String cluster = cluster("timeline");
            Path local = Files.createDirectories(work.resolve("timeline-local"));
            BackupFixture.publishTopology(bootstrap, cluster, promoted.host(), promoted.port(),
                    promoted.binDirectory().toString(), "local", Map.of("local", BackupFixture.filesystem(local)),
                    true, 1);
            String history = promoted.psql("select pg_read_file('pg_wal/00000002.history')");
            long switchPoint = WalSegments.parseLsn(history.strip().split("\\s+")[1]);
            String firstOfTimeline = WalSegments.segmentName(2, switchPoint, WalChain.SEGMENT_SIZE);

            await().atMost(Duration.ofSeconds(60)).until(() -> !events.archivedNames(cluster).isEmpty()
                    || promoted.psql("select count(*) from pg_replication_slots where active").equals("1"));
            promoted.pgbench("-i", "-s", "1", "-q");
            long end = WalSegments.parseLsn(promoted.psql("select pg_switch_wal()"));
            String last = WalSegments.segmentName(2, end - 1, WalChain.SEGMENT_SIZE);
            await().atMost(Duration.ofSeconds(60)).until(() -> events.archivedNames(cluster).contains(last));

            Path folder = local.resolve("stowage").resolve(cluster).resolve("wal").resolve("00000002");
            assertThat(Files.readString(folder.resolve("00000002.history")).strip()).isEqualTo(history.strip());
            assertThat(events.archivedNames(cluster)).contains("00000002.history", firstOfTimeline);
            for (long lsn = WalSegments.startOf(firstOfTimeline, WalChain.SEGMENT_SIZE);
                 lsn < end; lsn += WalChain.SEGMENT_SIZE) {
                String segment = WalSegments.segmentName(2, lsn, WalChain.SEGMENT_SIZE);
                Path readBack = work.resolve("timeline-" + segment);
                WalChain.decompress(Files.newInputStream(folder.resolve(segment + ".zst")), readBack);
                assertThat(WalChain.sha256(readBack)).as(segment)
                        .isEqualTo(WalChain.sha256(promoted.dataDirectory().resolve("pg_wal").resolve(segment)));
            }
            BackupFixture.publishTopology(bootstrap, cluster, promoted.host(), promoted.port(),
                    promoted.binDirectory().toString(), "local", Map.of("local", BackupFixture.filesystem(local)),
                    false, 99);
            await().atMost(Duration.ofSeconds(30)).until(() -> promoted.psql(
                    "select count(*) from pg_replication_slots where active").equals("0"));
        }
    }

    @Test
    void aCleanShutdownOfThePrimaryIsNotHeldUpByArchiving_andArchivingGoesOnAfterItsRestart() throws Exception {
        // A server of its own: a shutdown waits for every walsender, and other tests' archivers stream from pg.
        try (PostgresCluster own = PostgresCluster.start(work.resolve("shutdown-pg"))) {
            String cluster = cluster("shutdown");
            Path local = Files.createDirectories(work.resolve("shutdown-local"));
            BackupFixture.publishTopology(bootstrap, cluster, own, "local",
                    Map.of("local", BackupFixture.filesystem(local)), true, 1);
            String first = WalChain.awaitSlot(own, cluster);
            own.pgbench("-i", "-s", "1", "-q");
            events.awaitArchived(cluster, first, WalChain.switchWal(own));
            own.psql("create table after_switch (x int); insert into after_switch select generate_series(1, 1000)");

            long began = System.nanoTime();
            own.stop();
            Duration shutdown = Duration.ofNanos(System.nanoTime() - began);

            // The walsender waits until its receiver says it flushed everything sent, or wal_sender_timeout (60 s).
            assertThat(shutdown).as("pg_ctl stop -m fast, with archiving caught up").isLessThan(Duration.ofSeconds(20));
            own.start();
            own.psql("insert into after_switch select generate_series(1, 1000)");
            String last = WalChain.switchWal(own);
            events.awaitArchived(cluster, first, last);
            assertThat(WalChain.range(first, last)).allSatisfy(segment -> assertThat(local.resolve("stowage")
                    .resolve(cluster).resolve("wal").resolve("00000001").resolve(segment + ".zst")).exists());
        }
    }

    @Test
    void aPostgresThatCannotBeStreamedFromIsReportedAsLag() throws Exception {
        String cluster = cluster("unreachable");
        Path local = Files.createDirectories(work.resolve("unreachable-local"));
        BackupFixture.publishTopology(bootstrap, cluster, pg.host(), closedPort(), pg.binDirectory().toString(), "local",
                Map.of("local", BackupFixture.filesystem(local)), true, 1);

        await().atMost(Duration.ofSeconds(30)).until(() -> events.lags(cluster).stream()
                .anyMatch(l -> l.state().equals(WalLag.LAGGING) && l.lastError() != null
                        && l.lastError().startsWith("PostgreSQL:")));
        assertThat(events.archivedNames(cluster)).isEmpty();
        BackupFixture.publishTopology(bootstrap, cluster, pg, "local",
                Map.of("local", BackupFixture.filesystem(local)), false, 99);
    }

    @Test
    void aRestorePausesArchivingAndBackupsThenResumesWithoutAGap() throws Exception {
        String cluster = cluster("pause");
        Path local = Files.createDirectories(work.resolve("pause-local"));
        BackupFixture.publishTopology(bootstrap, cluster, pg, "local",
                Map.of("local", BackupFixture.filesystem(local)), true, 1);
        String first = WalChain.awaitSlot(pg, cluster);
        pg.psql("create table pause_marker (t text); insert into pause_marker values ('before the pause')");
        String marker = WalChain.switchWal(pg); // not awaited: the pause itself must archive it

        Envelope<RestoreStep> pause = Envelope.root("/stowage/test", new RestoreStep(cluster, "restore-1",
                RestoreStepName.PAUSE_ARCHIVING, RestoreStepStatus.STARTED, null));
        publisher.publishAndWait(pause);
        RestoreStep paused = events.awaitAnswer(pause, RestoreStepName.PAUSE_ARCHIVING);
        assertThat(paused.detail()).contains("archiving paused").contains("storage 'local'");
        assertThat(events.archivedNames(cluster)).as("everything written before the pause is archived").contains(marker);
        await().atMost(Duration.ofSeconds(10)).until(() -> pg.psql("select active from pg_replication_slots "
                + "where slot_name = '" + ClusterArchiver.slotName(cluster) + "'").equals("f"));
        assertThat(WalChain.slotStart(pg, ClusterArchiver.slotName(cluster)))
                .as("the idle slot lets go of what is archived").isGreaterThan(marker);

        Envelope<?> backup = BackupFixture.request(publisher, cluster, List.of("local"), "during-restore");
        await().atMost(Duration.ofSeconds(30)).until(() -> events.seen().stream()
                .anyMatch(e -> e.correlationId().equals(backup.correlationId()) && e.type() == EventType.BACKUP_FAILED));
        BackupFailed refused = (BackupFailed) events.seen().stream().filter(e -> e.correlationId().equals(backup.correlationId())
                && e.type() == EventType.BACKUP_FAILED).findFirst().orElseThrow().data();
        assertThat(refused.reason()).contains("being restored").contains("restore-1");

        pg.pgbench("-i", "-s", "1", "-q");
        String duringPause = WalChain.switchWal(pg);
        int archivedBefore = events.archivedNames(cluster).size();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> events.archivedNames(cluster).size() == archivedBefore);

        Envelope<RestoreStep> resume = Envelope.inCorrelation(pause.correlationId(), pause.id(), "/stowage/test",
                new RestoreStep(cluster, "restore-1", RestoreStepName.RESUME_ARCHIVING, RestoreStepStatus.STARTED,
                        null));
        publisher.publishAndWait(resume);
        assertThat(events.awaitAnswer(resume, RestoreStepName.RESUME_ARCHIVING).detail()).contains("archiving resumed");
        Map<String, WalArchived> archived = events.awaitArchived(cluster, first, duringPause);
        assertThat(archived).containsKey(duringPause);
        stopArchiving(cluster, local);
    }

    /**
     * Issue 13, item 3: a segment of the same name with other content on the main (another server that promoted to
     * the same timeline id wrote it) is never replaced: archiving holds that segment, lagging with the reason, and
     * goes on once the conflict is settled.
     */
    @Test
    void aSegmentOfTheSameNameWithOtherContentIsNeverReplaced_archivingLagsWithTheReason() throws Exception {
        String cluster = cluster("clash");
        Path local = Files.createDirectories(work.resolve("clash-local"));
        BackupFixture.publishTopology(bootstrap, cluster, pg, "local",
                Map.of("local", BackupFixture.filesystem(local)), true, 1);
        String first = WalChain.awaitSlot(pg, cluster);
        events.awaitArchived(cluster, first, WalChain.switchWal(pg));
        pg.psql("create table clash_marker (t text); insert into clash_marker values ('ours')");
        // The segment being written now, not complete yet (so not shipped): the other server's copy comes first.
        String next = pg.psql("select pg_walfile_name(pg_current_wal_lsn())");
        Path theirs = walFile(local, cluster, next);
        byte[] other = com.github.luben.zstd.Zstd.compress(new byte[(int) WalChain.SEGMENT_SIZE]);
        Files.write(theirs, other);

        String ours = WalChain.switchWal(pg);
        assertThat(ours).isEqualTo(next);
        await().atMost(Duration.ofSeconds(60)).until(() -> events.lags(cluster).stream()
                .anyMatch(l -> l.state().equals(WalLag.LAGGING) && l.lastError() != null
                        && l.lastError().contains("differs from the one PostgreSQL wrote")));
        assertThat(Files.readAllBytes(theirs)).as("not replaced").isEqualTo(other);
        assertThat(events.archivedNames(cluster)).doesNotContain(next);

        // Settled by hand (the other server's segment moved away): ours is archived, the chain goes on.
        Files.move(theirs, theirs.resolveSibling(next + ".zst.other"));
        assertThat(events.awaitArchived(cluster, first, ours)).containsKey(ours);
        stopArchiving(cluster, local);
    }

    /**
     * Issue 13, item 7: a restore paused archiving, then its service died (no heartbeat, no resume). The pause is a
     * lease: once nothing has been heard of the restore for its length, archiving resumes from the slot (no WAL lost)
     * and backups are taken again.
     */
    @Test
    void aPauseWhoseRestoreDiedLapses_archivingResumesWithoutAGap_andBackupsAreTakenAgain() throws Exception {
        String cluster = cluster("lapse");
        Path local = Files.createDirectories(work.resolve("lapse-local"));
        BackupFixture.publishTopology(bootstrap, cluster, pg, "local",
                Map.of("local", BackupFixture.filesystem(local)), true, 1);
        String first = WalChain.awaitSlot(pg, cluster);
        Envelope<RestoreStep> pause = Envelope.root("/stowage/test", new RestoreStep(cluster, "restore-dead",
                RestoreStepName.PAUSE_ARCHIVING, RestoreStepStatus.STARTED, null));
        publisher.publishAndWait(pause);
        events.awaitAnswer(pause, RestoreStepName.PAUSE_ARCHIVING);
        String slot = ClusterArchiver.slotName(cluster);
        await().atMost(Duration.ofSeconds(10)).until(() -> pg.psql("select active from pg_replication_slots "
                + "where slot_name = '" + slot + "'").equals("f"));
        pg.psql("create table lapse_marker (t text); insert into lapse_marker values ('while paused')");
        String duringPause = WalChain.switchWal(pg);
        // The restore's service is gone: nothing more of restore-dead comes.

        await().atMost(PAUSE_LEASE.plusSeconds(60)).until(() -> pg.psql("select active from pg_replication_slots "
                + "where slot_name = '" + slot + "'").equals("t"));
        assertThat(events.awaitArchived(cluster, first, duringPause)).as("the WAL written while paused")
                .containsKey(duringPause);
        Envelope<?> backup = BackupFixture.request(publisher, cluster, List.of("local"), "after-the-lapse");
        await().atMost(Duration.ofSeconds(90)).until(() -> events.seen().stream()
                .anyMatch(e -> e.correlationId().equals(backup.correlationId())
                        && (e.type() == EventType.BACKUP_COMPLETED || e.type() == EventType.BACKUP_FAILED)));
        assertThat(events.seen().stream().filter(e -> e.correlationId().equals(backup.correlationId()))
                .map(Envelope::type)).contains(EventType.BACKUP_COMPLETED).doesNotContain(EventType.BACKUP_FAILED);
        assertThat(Files.readString(work.resolve("backup-service.log")))
                .contains("the pause of restore restore-dead lapsed");
        stopArchiving(cluster, local);
    }

    // ---- helpers ----

    static String cluster(String purpose) {
        return "wal_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 6);
    }

    /** Turns archiving off for the cluster and drops its slot, so later tests' load is not archived for it. */
    static void stopArchiving(String cluster, Path local) {
        BackupFixture.publishTopology(bootstrap, cluster, pg, "local",
                Map.of("local", BackupFixture.filesystem(local)), false, 99);
        String slot = ClusterArchiver.slotName(cluster);
        await().atMost(Duration.ofSeconds(30)).until(() -> pg.psql("select count(*) from pg_replication_slots "
                + "where slot_name = '" + slot + "' and active").equals("0"));
        pg.psql("select pg_drop_replication_slot('" + slot + "')");
    }

    static int closedPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort(); // closed again when returned: nothing listens there
        }
    }

    static Path walFolder(Path storage, String cluster) {
        return storage.resolve("stowage").resolve(cluster).resolve("wal").resolve("00000001");
    }

    static Path walFile(Path storage, String cluster, String segment) {
        return walFolder(storage, cluster).resolve(segment + ".zst");
    }

    static long folderSize(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(folder)) {
            long total = 0;
            for (Path f : (Iterable<Path>) files::iterator) {
                try {
                    total += Files.size(f);
                } catch (java.nio.file.NoSuchFileException e) {
                    // shipped meanwhile
                }
            }
            return total;
        }
    }

    static S3Client s3Client() {
        return S3Client.builder().endpointOverride(s3.endpoint()).region(Region.of(s3.region())).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKeyId(),
                        s3.secretAccessKey())))
                .build();
    }

    static List<String> s3Keys(S3Client client, String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
                .map(S3Object::key).toList();
    }
}
