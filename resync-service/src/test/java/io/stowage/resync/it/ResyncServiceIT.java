package io.stowage.resync.it;

import io.stowage.bus.KafkaEventPublisher;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.BusReader;
import io.stowage.bus.TransactionalPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.data.EventRejected;
import io.stowage.events.data.ResyncCompleted;
import io.stowage.events.data.ResyncFailed;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RetentionCompleted;
import io.stowage.events.data.RetentionRequested;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.data.WalArchived;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.RetentionSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.events.spec.TopologyView;
import io.stowage.localstack.S3ProxyServer;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import io.stowage.localstack.SharedS3;
import io.stowage.resync.scan.StorageFill;
import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.StorageLayout;
import io.stowage.storage.Storages;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * resync-service against a real broker and a real S3 server: storages filled behind Stowage's back resync to exactly
 * the right catalog; completed backups and archived WAL are listed without a resync; the main-switch fan-out ends
 * with a resynced new main; a restarted service keeps the catalog without rescanning.
 */
class ResyncServiceIT {
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final String BUCKET = "resync-it";
    static final String SOURCE = "/stowage/test";

    static Path work;
    static String bootstrap;
    static S3ProxyServer s3;
    static Path secrets;
    static ServiceProcess service;
    static KafkaEventPublisher publisher;
    static BusReader reader;
    static final List<Envelope<?>> seen = new CopyOnWriteArrayList<>();
    static Thread collector;
    static volatile boolean collecting = true;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("resync-it");
        bootstrap = SharedKafka.bootstrapServers();
        s3 = SharedS3.http();
        s3.createBucket(BUCKET);
        secrets = Files.createDirectories(work.resolve("secrets"));
        Path creds = Files.createDirectories(secrets.resolve("s3-creds"));
        Files.writeString(creds.resolve("AWS_ACCESS_KEY_ID"), s3.accessKeyId());
        Files.writeString(creds.resolve("AWS_SECRET_ACCESS_KEY"), s3.secretAccessKey());
        publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "resync-it");
        reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.RESYNC, Topics.REJECTED), false);
        reader.poll(Duration.ofSeconds(1));
        collector = new Thread(() -> {
            while (collecting) {
                reader.poll(Duration.ofMillis(200)).stream().filter(BusReader.Read::valid).map(BusReader.Read::event)
                        .forEach(seen::add);
            }
        });
        collector.start();
        service = startService();
    }

    static ServiceProcess startService() throws Exception {
        return new ServiceProcess(JAR, Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "stowage.secrets-folder", secrets.toString(),
                "stowage.instance-id", "resync-it",
                // Every 3 s, each cluster with a retention has it applied (1 h by default).
                "stowage.retention.interval", "3s"), work.resolve("resync-service-" + UUID.randomUUID() + ".log"))
                .start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (service != null) {
            service.close();
        }
        collecting = false;
        if (collector != null) {
            collector.join(5_000);
        }
        if (reader != null) {
            reader.close();
        }
        if (publisher != null) {
            publisher.close();
        }
    }

    @Test
    void storagesFilledBehindStowagesBackResyncToExactlyTheRightCatalog() throws Exception {
        String cluster = "resync-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, StorageSpec> storages = storages(cluster);
        publishTopology(cluster, "local", storages);
        for (String name : List.of("local", "s3")) {
            try (BackupStorage s = open(cluster, name, storages.get(name))) {
                StorageFill.backup(s, cluster, "b1", 100);
                StorageFill.backup(s, cluster, "b2", 200);
                StorageFill.backup(s, cluster, "doomed", 50);
                StorageFill.backup(s, cluster, "truncated", 100);
                StorageFill.object(s, StorageLayout.baseArchive("truncated"), 60);
                StorageFill.garbageManifest(s, "garbage");
                StorageFill.backup(s, "another-cluster", "strayed", 10);
            }
        }
        try (BackupStorage s = open(cluster, "local", storages.get("local"))) {
            StorageFill.segments(s, "000000010000000000000003", "000000010000000000000004",
                    "000000010000000000000006");
        }
        Envelope<?> all = request(new ResyncRequested(cluster, null, io.stowage.events.data.ResyncScope.ALL, "test"));
        List<ResyncCompleted> done = awaitCompleted(all, 2);
        assertThat(done).extracting(ResyncCompleted::storage).containsExactlyInAnyOrder("local", "s3");
        assertThat(done).allSatisfy(d -> {
            assertThat(d.found()).isEqualTo(5);
            assertThat(d.added()).isEqualTo(5);
            assertThat(d.incomplete()).isEqualTo(2);
        });
        for (String name : List.of("local", "s3")) {
            Map<String, CatalogBackup> backups = backups(cluster, name);
            assertThat(backups.keySet()).containsExactlyInAnyOrder("b1", "b2", "doomed", "truncated", "garbage");
            assertThat(backups.get("b1").complete()).isTrue();
            assertThat(backups.get("b2").storedBytes()).isEqualTo(200);
            assertThat(backups.get("truncated").reason()).isEqualTo("base.tar.zst has 60 bytes, the manifest says 100");
            assertThat(backups.get("garbage").reason()).startsWith("stowage.json does not parse");
        }
        assertThat(catalog(cluster).get(CatalogWal.key(cluster, "local", "00000001")))
                .isEqualTo(new CatalogWal(cluster, "local", "00000001", List.of(
                        new CatalogWal.SegmentRange("000000010000000000000003", "000000010000000000000004"),
                        new CatalogWal.SegmentRange("000000010000000000000006", "000000010000000000000006")), 3, false));

        // Behind Stowage's back again: one backup deleted, one truncated. Only the differences are written.
        try (BackupStorage s = open(cluster, "s3", storages.get("s3"))) {
            s.delete(StorageLayout.baseArchive("doomed"));
            s.delete(StorageLayout.manifest("doomed"));
            StorageFill.object(s, StorageLayout.baseArchive("b2"), 150);
        }
        Envelope<?> one = request(new ResyncRequested(cluster, "s3", null, "test"));
        ResyncCompleted again = awaitCompleted(one, 1).get(0);
        assertThat(again.found()).isEqualTo(4);
        assertThat(again.added()).isZero();
        assertThat(again.removed()).isEqualTo(1);
        Map<String, CatalogBackup> s3Backups = backups(cluster, "s3");
        assertThat(s3Backups.keySet()).containsExactlyInAnyOrder("b1", "b2", "truncated", "garbage");
        assertThat(s3Backups.get("b2").complete()).isFalse();
        assertThat(backups(cluster, "local")).containsKey("doomed");
    }

    @Test
    void completedBackupsAndArchivedWalAreListedWithoutAResync() throws Exception {
        String cluster = "incremental-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, StorageSpec> storages = storages(cluster);
        publishTopology(cluster, "local", storages);
        BackupManifest fresh = null;
        for (String name : List.of("local", "s3")) {
            try (BackupStorage s = open(cluster, name, storages.get(name))) {
                fresh = StorageFill.backup(s, cluster, "fresh", 300);
            }
        }
        publisher.publishAndWait(Envelope.root(SOURCE, completed(fresh, "local", "s3")));
        for (String segment : List.of("000000010000000000000009", "00000001000000000000000A")) {
            publisher.publishAndWait(Envelope.root(SOURCE, new WalArchived(cluster, "local", "00000001", segment,
                    16777216L, null)));
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, CatalogEvent> catalog = catalog(cluster);
            assertThat(catalog).containsKeys(CatalogBackup.key(cluster, "local", "fresh"),
                    CatalogBackup.key(cluster, "s3", "fresh"));
            assertThat(((CatalogBackup) catalog.get(CatalogBackup.key(cluster, "s3", "fresh"))).complete()).isTrue();
            assertThat(catalog.get(CatalogWal.key(cluster, "local", "00000001"))).isEqualTo(new CatalogWal(cluster,
                    "local", "00000001", List.of(new CatalogWal.SegmentRange("000000010000000000000009",
                    "00000001000000000000000A")), 2, false));
        });
        assertThat(seen).noneMatch(e -> cluster.equals(e.subject()) && e.type() == EventType.RESYNC_COMPLETED);
    }

    @Test
    void aCompletionTheStorageDoesNotBearOutIsNotListedAndIsRejected() throws Exception {
        String cluster = "forged-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, StorageSpec> storages = storages(cluster);
        publishTopology(cluster, "local", storages);
        BackupManifest real = null;
        BackupManifest mistaken = null;
        try (BackupStorage local = open(cluster, "local", storages.get("local"));
             BackupStorage s3 = open(cluster, "s3", storages.get("s3"))) {
            real = StorageFill.backup(local, cluster, "real", 100);
            StorageFill.backup(s3, cluster, "real", 100);
            mistaken = StorageFill.backup(local, cluster, "mistaken", 100);
        }
        // Nothing on either storage; a manifest that says otherwise than the event; then a backup that is really there.
        Envelope<BackupCompleted> forged = Envelope.root(SOURCE, completed(StorageFill.manifest(cluster, "forged", 100,
                "local"), "local", "s3"));
        BackupCompleted m = completed(mistaken, "local");
        Envelope<BackupCompleted> wrong = Envelope.root(SOURCE, new BackupCompleted(cluster, "mistaken", m.storages(),
                m.startLsn(), "0/9000100", m.timeline(), m.startTime(), m.stopTime(), m.sizeBytes(), 4242));
        for (Envelope<?> e : List.of(forged, wrong, Envelope.root(SOURCE, completed(real, "local", "s3")))) {
            publisher.publishAndWait(e);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> rejection(forged) != null && rejection(wrong) != null
                && backups(cluster, "s3").containsKey("real"));
        assertThat(rejection(forged).reason()).contains("local", "s3", "no stowage.json");
        assertThat(rejection(wrong).reason()).contains("local", "stopLsn", "0/5000138", "0/9000100", "storedBytes");
        assertThat(rejection(wrong).consumer()).isEqualTo("stowage-resync-service");
        assertThat(backups(cluster, "local")).containsOnlyKeys("real");
        assertThat(backups(cluster, "s3")).containsOnlyKeys("real");
        assertThat(backups(cluster, "local").get("real").complete()).isTrue();
    }

    @Test
    void theMainSwitchFanOutEndsWithAResyncedNewMain() throws Exception {
        String cluster = "fanout-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, StorageSpec> storages = storages(cluster);
        publishTopology(cluster, "local", storages);
        try (BackupStorage s = open(cluster, "s3", storages.get("s3"))) {
            StorageFill.backup(s, cluster, "on-s3", 100);
        }
        // As config-service writes a main change from local to s3: one transaction, one correlation.
        TopologyView view = new TopologyView("s3", List.of("local"), Map.of());
        Envelope<StorageChanged> root = Envelope.root("/stowage/config-service", new StorageChanged(cluster,
                StorageChange.MAIN_CHANGED, "s3", "local", view, "test"));
        List<Envelope<?>> fanOut = List.of(root,
                Envelope.causedBy(root, "/stowage/config-service", new ResyncRequested(cluster, "s3", null, "main changed")),
                Envelope.causedBy(root, "/stowage/config-service", new StorageChanged(cluster, StorageChange.PROFILE_REMOVED,
                        "s3", null, view, "test")),
                Envelope.causedBy(root, "/stowage/config-service", new StorageChanged(cluster, StorageChange.PROFILE_ADDED,
                        "local", null, view, "test")));
        publishTopology(cluster, "s3", storages);
        try (TransactionalPublisher p = new TransactionalPublisher(KafkaConnection.to(bootstrap), "resync-it-fanout")) {
            p.publishAtomically(fanOut, List.of());
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> seen.stream().filter(e -> e.type() == EventType.RESYNC_COMPLETED
                && e.correlationId().equals(root.correlationId())).map(e -> ((ResyncCompleted) e.data()).storage())
                .toList().containsAll(List.of("s3", "local")));
        assertThat(backups(cluster, "s3")).containsOnlyKeys("on-s3");
    }

    @Test
    void aRestartedServiceKeepsTheCatalogWithoutRescanning() throws Exception {
        String cluster = "restart-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, StorageSpec> storages = storages(cluster);
        publishTopology(cluster, "local", storages);
        try (BackupStorage s = open(cluster, "local", storages.get("local"))) {
            StorageFill.backup(s, cluster, "kept", 100);
        }
        awaitCompleted(request(new ResyncRequested(cluster, "local", null, "test")), 1);
        Map<String, CatalogEvent> before = catalog(cluster);

        service.stop();
        service = startService();
        ResyncCompleted after = awaitCompleted(request(new ResyncRequested(cluster, "local", null, "test")), 1).get(0);

        assertThat(after.found()).isEqualTo(1);
        assertThat(after.added()).as("the restarted service knew the backup already").isZero();
        assertThat(after.removed()).isZero();
        assertThat(catalog(cluster)).isEqualTo(before);
        assertThat(seen.stream().filter(e -> cluster.equals(e.subject()) && e.type() == EventType.RESYNC_COMPLETED))
                .as("no rescan at start: only the two requested resyncs").hasSize(2);
    }

    @Test
    void aResyncOfAnUnmountedStorageFailsAndLeavesTheCatalogAsItWas() throws Exception {
        String cluster = "unmounted-" + UUID.randomUUID().toString().substring(0, 6);
        Path mount = Files.createDirectories(work.resolve("mnt-" + cluster));
        Map<String, StorageSpec> storages = Map.of("usb", new StorageSpec(false, StorageType.FILESYSTEM, null,
                new FilesystemSpec(mount.toString(), null)));
        publishTopology(cluster, "usb", storages);
        try (BackupStorage s = open(cluster, "usb", storages.get("usb"))) {
            StorageFill.backup(s, cluster, "b1", 100);
            StorageFill.segments(s, "000000010000000000000003");
        }
        awaitCompleted(request(new ResyncRequested(cluster, "usb", null, "test")), 1);
        Map<String, CatalogEvent> before = catalog(cluster);
        assertThat(before).hasSize(2);

        // Unmounted, the mount point gone with it...
        Path away = work.resolve("away-" + cluster);
        Files.move(mount, away);
        assertThat(awaitFailed(request(new ResyncRequested(cluster, "usb", null, "test"))).reason())
                .contains("storage 'usb'").contains(mount + " does not exist");
        // ... or left behind, empty.
        Files.createDirectories(mount);
        assertThat(awaitFailed(request(new ResyncRequested(cluster, "usb", null, "test"))).reason())
                .contains("storage 'usb'").contains(mount.resolve("stowage").resolve(cluster).toString())
                .contains("does not exist", "the catalog lists 1 backup and 1 WAL timeline there", "left as it was");
        assertThat(catalog(cluster)).isEqualTo(before);

        // Mounted again: the next resync finds everything where it was.
        Files.delete(mount);
        Files.move(away, mount);
        ResyncCompleted back = awaitCompleted(request(new ResyncRequested(cluster, "usb", null, "test")), 1).get(0);
        assertThat(back.found()).isEqualTo(1);
        assertThat(back.removed()).isZero();
        assertThat(catalog(cluster)).isEqualTo(before);
    }

    // ---- helpers ----

    /**
     * Issue 13, item 5: a resync request is acknowledged once its outcome is published, not when it is queued. A kill
     * -9 mid-resync (here: the storage does not answer, so the resync hangs) leaves it to be delivered again, and
     * the restarted service answers it.
     */
    @Test
    void aResyncCutShortByAKill_isRunAgainAfterTheRestart_andItsRequestAnswered() throws Exception {
        String cluster = "killed-" + UUID.randomUUID().toString().substring(0, 6);
        List<java.net.Socket> held = new CopyOnWriteArrayList<>();
        try (java.net.ServerSocket blackHole = new java.net.ServerSocket(0)) {
            Thread accepting = new Thread(() -> {
                try {
                    while (true) {
                        held.add(blackHole.accept()); // accepted, never answered
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            accepting.setDaemon(true);
            accepting.start();
            Map<String, StorageSpec> storages = storages(cluster);
            StorageSpec real = storages.get("s3");
            storages.put("s3", new StorageSpec(false, StorageType.S3, new S3Spec(BUCKET, s3.region(),
                    "http://127.0.0.1:" + blackHole.getLocalPort(), null, true, "s3-creds", null, null), null));
            publishTopology(cluster, "local", storages);
            try (BackupStorage s = open(cluster, "s3", real)) {
                StorageFill.backup(s, cluster, "there-all-along", 10);
            }

            Envelope<?> hanging = request(new ResyncRequested(cluster, "s3", null, "test"));
            await().atMost(Duration.ofSeconds(30)).until(() -> !held.isEmpty());
            // A later request of the same cluster (same partition) is answered meanwhile, and the consumer commits
            // what it may: an offset committed when the first was queued would be committed by now.
            awaitCompleted(request(new ResyncRequested(cluster, "local", null, "test")), 1);
            await().pollDelay(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(8)).until(() -> true);
            assertThat(outcomes(hanging)).isEmpty();

            service.kill();
            // The storage answers again (its endpoint fixed in the config), and the service comes back.
            publishTopology(cluster, "local", storages(cluster));
            service = startService();

            ResyncCompleted answered = awaitCompleted(hanging, 1).get(0);
            assertThat(answered.storage()).isEqualTo("s3");
            assertThat(answered.found()).as("the backup on the storage, listed").isEqualTo(1);
            assertThat(backups(cluster, "s3")).containsKey("there-all-along");
        }
    }

    @Test
    void anExpiryKilledMidwayListsNothingCompleteThatIsNot_andTheRestartedServiceFinishesIt() throws Exception {
        String cluster = "expiry-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, StorageSpec> storages = storages(cluster);
        StorageSpec plain = storages.get("s3");
        storages.put("s3", new StorageSpec(true, plain.type(), plain.s3(), null, new RetentionSpec(1, null)));
        publishTopology(cluster, "s3", storages);
        // 1,000 backups written straight into the S3 server's folder (S3Proxy serves a file per object).
        Path prefix = s3.dataDirectory().resolve(BUCKET).resolve("stowage").resolve(cluster);
        int count = 1_000;
        for (int i = 0; i < count; i++) {
            String id = String.format("b%05d", i);
            Path folder = Files.createDirectories(prefix.resolve("backups").resolve(id));
            Files.write(folder.resolve("base.tar.zst"), new byte[100]);
            BackupManifest m = StorageFill.manifest(cluster, id, 100, "s3");
            Files.write(folder.resolve("stowage.json"), new BackupManifest(m.format(), id, cluster, m.storages(),
                    m.startLsn(), m.stopLsn(), m.timeline(), m.startTime().plusMinutes(i),
                    m.stopTime().plusMinutes(i), m.systemIdentifier(), m.postgresVersion(), m.databaseBytes(),
                    m.tarBytes(), m.compression(), m.objects(), m.requestId(), m.correlationId()).toJson());
        }
        assertThat(awaitCompleted(request(new ResyncRequested(cluster, "s3", null, "test")), 1).get(0).found())
                .isEqualTo(count);

        publisher.publishAndWait(Envelope.root(SOURCE, new RetentionRequested(cluster, "test")));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> manifests(prefix) < count);
        service.kill();

        // Whatever the kill interrupted, every backup listed COMPLETE is whole on the storage.
        Map<String, CatalogBackup> listed = backups(cluster, "s3");
        long expiring = listed.values().stream().filter(b -> b.status().equals(CatalogBackup.EXPIRING)).count();
        System.out.printf("expiry killed with %d manifests left, %d backups listed, %d of them EXPIRING%n",
                manifests(prefix), listed.size(), expiring);
        for (CatalogBackup b : listed.values()) {
            if (b.complete()) {
                assertThat(prefix.resolve("backups").resolve(b.backupId()).resolve("stowage.json")).exists();
                assertThat(prefix.resolve("backups").resolve(b.backupId()).resolve("base.tar.zst")).exists();
            }
        }

        service = startService();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
            assertThat(backups(cluster, "s3")).containsOnlyKeys(String.format("b%05d", count - 1));
            try (var files = Files.walk(prefix.resolve("backups"))) {
                assertThat(files.filter(Files::isRegularFile).map(f -> f.getParent().getFileName().toString())
                        .distinct()).containsExactly(String.format("b%05d", count - 1));
            }
        });
        assertThat(backups(cluster, "s3").values()).allSatisfy(b -> assertThat(b.complete()).isTrue());
    }

    @Test
    void aBackupARunningRestoreUsesIsKeptUntilTheRestoreEnds_thenRemoved() throws Exception {
        String cluster = "held-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, StorageSpec> storages = storages(cluster);
        StorageSpec plain = storages.get("local");
        storages.put("local", new StorageSpec(true, plain.type(), null, plain.filesystem(), new RetentionSpec(1, null)));
        publishTopology(cluster, "local", storages);
        // A restore from b1 runs, as restore-service says on stowage.restore (before the catalog lists b1: retention
        // is applied every few seconds here).
        Envelope<RestoreStarted> started = Envelope.root(SOURCE, new RestoreStarted(cluster, "r1", "b1", "local"));
        publisher.publishAndWait(started);
        try (BackupStorage s = open(cluster, "local", storages.get("local"))) {
            for (int i = 1; i <= 3; i++) {
                BackupManifest m = StorageFill.manifest(cluster, "b" + i, 10, "local");
                StorageFill.object(s, StorageLayout.baseArchive("b" + i), 10);
                s.writeSmall(StorageLayout.manifest("b" + i), new BackupManifest(m.format(), m.backupId(), cluster,
                        m.storages(), m.startLsn(), m.stopLsn(), m.timeline(), m.startTime().plusHours(i),
                        m.stopTime().plusHours(i), m.systemIdentifier(), m.postgresVersion(), m.databaseBytes(),
                        m.tarBytes(), m.compression(), m.objects(), m.requestId(), m.correlationId()).toJson());
            }
        }
        awaitCompleted(request(new ResyncRequested(cluster, "local", null, "test")), 1);

        Envelope<RetentionRequested> asked = Envelope.root(SOURCE, new RetentionRequested(cluster, "test"));
        publisher.publishAndWait(asked);
        await().atMost(Duration.ofSeconds(60)).until(() -> seen.stream()
                .anyMatch(e -> asked.id().equals(e.causationId()) && e.data() instanceof RetentionCompleted));
        RetentionCompleted first = seen.stream().filter(e -> asked.id().equals(e.causationId()))
                .map(e -> (RetentionCompleted) e.data()).findFirst().orElseThrow();
        assertThat(first.heldForRestores()).isEqualTo(1);
        // b2 went, by this request or by the regular run before it.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(backups(cluster, "local")).containsOnlyKeys("b1", "b3"));
        assertThat(work.resolve("fs").resolve("stowage").resolve(cluster).resolve("backups").resolve("b1")).isDirectory();

        // The restore ends: its backup goes, with no request.
        publisher.publishAndWait(Envelope.causedBy(started, SOURCE,
                new RestoreCompleted(cluster, "r1", "b1", "local", "/srv/data", "/srv/data.before-r1")));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(backups(cluster, "local")).containsOnlyKeys("b3"));
        assertThat(work.resolve("fs").resolve("stowage").resolve(cluster).resolve("backups").resolve("b1"))
                .doesNotExist();
    }

    @Test
    void retentionIsAppliedRegularly_withNoBackupAndNoRequest() throws Exception {
        String cluster = "regular-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, StorageSpec> storages = storages(cluster);
        StorageSpec plain = storages.get("local");
        storages.put("local", new StorageSpec(true, plain.type(), null, plain.filesystem(), new RetentionSpec(1, null)));
        publishTopology(cluster, "local", storages);
        try (BackupStorage s = open(cluster, "local", storages.get("local"))) {
            for (int i = 1; i <= 2; i++) {
                BackupManifest m = StorageFill.manifest(cluster, "b" + i, 10, "local");
                StorageFill.object(s, StorageLayout.baseArchive("b" + i), 10);
                s.writeSmall(StorageLayout.manifest("b" + i), new BackupManifest(m.format(), m.backupId(), cluster,
                        m.storages(), m.startLsn(), m.stopLsn(), m.timeline(), m.startTime().plusHours(i),
                        m.stopTime().plusHours(i), m.systemIdentifier(), m.postgresVersion(), m.databaseBytes(),
                        m.tarBytes(), m.compression(), m.objects(), m.requestId(), m.correlationId()).toJson());
            }
        }
        // A resync lists both; it applies no retention itself.
        awaitCompleted(request(new ResyncRequested(cluster, "local", null, "test")), 1);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(backups(cluster, "local")).containsOnlyKeys("b2"));
        assertThat(work.resolve("fs").resolve("stowage").resolve(cluster).resolve("backups").resolve("b1"))
                .doesNotExist();
    }

    /** The manifests under a storage's folder, counted while an expiry may be deleting them. */
    static long manifests(Path prefix) throws java.io.IOException {
        long count = 0;
        try (var folders = Files.newDirectoryStream(prefix.resolve("backups"))) {
            for (Path folder : folders) {
                if (Files.exists(folder.resolve("stowage.json"))) {
                    count++;
                }
            }
        }
        return count;
    }

    static Map<String, StorageSpec> storages(String cluster) {
        Map<String, StorageSpec> storages = new TreeMap<>();
        storages.put("local", new StorageSpec(false, StorageType.FILESYSTEM, null,
                new FilesystemSpec(work.resolve("fs").toString(), null)));
        storages.put("s3", new StorageSpec(false, StorageType.S3, new S3Spec(BUCKET, s3.region(),
                s3.endpoint().toString(), null, true, "s3-creds", null, null), null));
        return storages;
    }

    static void publishTopology(String cluster, String main, Map<String, StorageSpec> storages) {
        Map<String, StorageSpec> resolved = new TreeMap<>();
        storages.forEach((n, s) -> resolved.put(n, s.withMain(n.equals(main))));
        TopologyApplied t = new TopologyApplied(cluster, System.nanoTime(), main,
                resolved.keySet().stream().filter(n -> !n.equals(main)).toList(), new BackupConfigSpec(
                new PostgresSpec("127.0.0.1", 5432, "postgres", null, null, null, null), new PitrSpec(false),
                resolved), false, "test");
        try (TransactionalPublisher p = new TransactionalPublisher(KafkaConnection.to(bootstrap), "resync-it-topology")) {
            p.publishAtomically(List.of(Envelope.root(SOURCE, t)), List.of());
        }
    }

    static BackupStorage open(String cluster, String name, StorageSpec spec) {
        return Storages.open(cluster, name, spec, (secret, key) -> {
            try {
                return Files.readAllBytes(secrets.resolve(secret).resolve(key));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** What backup-service says once it has written the backup {@code m} to {@code storages}. */
    static BackupCompleted completed(BackupManifest m, String... storages) {
        return new BackupCompleted(m.cluster(), m.backupId(), List.of(storages), m.startLsn(), m.stopLsn(), m.timeline(),
                m.startTime(), m.stopTime(), m.tarBytes(), m.objects().stream()
                .mapToLong(BackupManifest.StoredObject::sizeBytes).sum());
    }

    /** The {@code event.rejected.v1} that answered {@code event}, or null. */
    static EventRejected rejection(Envelope<?> event) {
        return seen.stream().filter(e -> e.data() instanceof EventRejected r && event.id().equals(r.id()))
                .map(e -> (EventRejected) e.data()).findFirst().orElse(null);
    }

    static Envelope<?> request(ResyncRequested r) {
        Envelope<ResyncRequested> e = Envelope.root(SOURCE, r);
        publisher.publishAndWait(e);
        return e;
    }

    static List<ResyncCompleted> awaitCompleted(Envelope<?> request, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> outcomes(request).size() >= count);
        assertThat(seen).noneMatch(e -> request.id().equals(e.causationId()) && e.type() == EventType.RESYNC_FAILED);
        return outcomes(request);
    }

    static ResyncFailed awaitFailed(Envelope<?> request) {
        await().atMost(Duration.ofSeconds(60)).until(() -> seen.stream().anyMatch(e -> request.id().equals(
                e.causationId()) && e.type() == EventType.RESYNC_FAILED));
        assertThat(outcomes(request)).as("no resync.completed.v1 for " + request.id()).isEmpty();
        return seen.stream().filter(e -> request.id().equals(e.causationId()) && e.type() == EventType.RESYNC_FAILED)
                .map(e -> (ResyncFailed) e.data()).findFirst().orElseThrow();
    }

    static List<ResyncCompleted> outcomes(Envelope<?> request) {
        return seen.stream().filter(e -> request.id().equals(e.causationId()) && e.type() == EventType.RESYNC_COMPLETED)
                .map(e -> (ResyncCompleted) e.data()).toList();
    }

    /** The cluster's catalog as anyone reads it: the compacted topic from the beginning, folded by key. */
    static Map<String, CatalogEvent> catalog(String cluster) {
        Map<String, CatalogEvent> entries = new HashMap<>();
        try (BusReader catalog = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.CATALOG), true)) {
            for (BusReader.Read r : catalog.readToEnd(Duration.ofSeconds(30))) {
                ConsumerRecord<String, byte[]> record = r.record();
                if (record.key() == null || !record.key().startsWith(cluster + " ")) {
                    continue;
                }
                if (record.value() == null) {
                    entries.remove(record.key());
                } else if (r.valid() && r.event().data() instanceof CatalogEvent entry) {
                    entries.put(record.key(), entry);
                }
            }
        }
        return entries;
    }

    static Map<String, CatalogBackup> backups(String cluster, String storage) {
        Map<String, CatalogBackup> out = new TreeMap<>();
        catalog(cluster).values().stream().filter(e -> e instanceof CatalogBackup b && b.storage().equals(storage))
                .map(e -> (CatalogBackup) e).forEach(b -> out.put(b.backupId(), b));
        return out;
    }
}
