package io.stowage.systemtests;

import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupRemoved;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.PitrTarget;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreTarget;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.data.WalRemoved;
import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.S3ProxyServer;
import io.stowage.localstack.SharedKafka;
import io.stowage.localstack.SharedS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.stowage.systemtests.StowageServices.BACKUP;
import static io.stowage.systemtests.StowageServices.CONFIG;
import static io.stowage.systemtests.StowageServices.RESTORE;
import static io.stowage.systemtests.StowageServices.RESYNC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retention from the outside, the four services on a real broker, a real S3 server and a real PostgreSQL with WAL
 * archiving: {@code keep: 5} on the main (a folder) and {@code keep: 3} on a profile (S3). After 8 backups each
 * storage holds exactly its newest, the main's WAL starts at the start of the oldest backup kept anywhere, a
 * point-in-time recovery to a time inside every remaining window restores the rows committed by then, and a time before
 * a storage's window is refused, naming where it begins.
 */
class RetentionIT {
    private static final String SOURCE = "/stowage/retention-it";
    static Path work;
    static StowageServices services;
    static BusLog bus;
    static KafkaEventPublisher publisher;
    static S3ProxyServer s3;
    static Site site;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("retention-it");
        String bootstrap = SharedKafka.bootstrapServers();
        s3 = SharedS3.http();
        s3.createBucket("retention-it");
        services = new StowageServices(work.resolve("stack"), Map.of("bootstrap.servers", bootstrap));
        Path creds = Files.createDirectories(services.secretsFolder().resolve("s3-creds"));
        Files.writeString(creds.resolve("AWS_ACCESS_KEY_ID"), s3.accessKeyId());
        Files.writeString(creds.resolve("AWS_SECRET_ACCESS_KEY"), s3.secretAccessKey());
        bus = new BusLog(KafkaConnection.to(bootstrap));
        publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "retention-it");
        services.start(CONFIG, BACKUP, RESYNC, RESTORE);
    }

    @AfterAll
    static void stop() throws Exception {
        if (services != null) {
            services.close();
        }
        if (site != null) {
            site.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (bus != null) {
            bus.close();
        }
        WorkDir.removeBulk(work);
    }

    @Test
    void keepFiveOnTheMainAndThreeOnAProfileLeaveTheRightBackupsWalAndWindows() throws Exception {
        site = new Site("retention", work, services.configFolder());
        Path local = site.storage("local");
        site.configure(true, Site.filesystem("local", true, local) + "      retention: {keep: 5}\n"
                + Site.s3("s3", false, "retention-it", s3.endpoint().toString(), "s3-creds")
                + "      retention: {keep: 3}\n");
        bus.await(TopologyApplied.class, t -> t.cluster().equals(site.cluster), Duration.ofSeconds(60));
        site.awaitArchiving();

        List<OffsetDateTime> committed = new ArrayList<>();
        List<BackupCompleted> backups = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            site.commit(i, "row" + i);
            committed.add(site.now());
            String id = "b" + i + "-" + UUID.randomUUID().toString().substring(0, 4);
            publisher.publishAndWait(Envelope.root(SOURCE, new BackupRequested(site.cluster, List.of("local", "s3"), id)));
            backups.add(bus.await(BackupCompleted.class, b -> b.backupId().equals(id), Duration.ofMinutes(2)));
        }
        List<String> ids = backups.stream().map(BackupCompleted::backupId).toList();

        // Each storage holds exactly its newest: 5 on the main, 3 on the profile.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(folders(local.resolve("stowage").resolve(site.cluster).resolve("backups")))
                    .containsExactlyElementsOf(new TreeSet<>(ids.subList(3, 8)));
            assertThat(s3Backups()).containsExactlyElementsOf(new TreeSet<>(ids.subList(5, 8)));
        });
        // Files go first, then the catalog and the events, in one transaction.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(removed("local")).containsExactlyInAnyOrderElementsOf(ids.subList(0, 3));
            assertThat(removed("s3")).containsExactlyInAnyOrderElementsOf(ids.subList(0, 5));
        });

        // The main's WAL starts at the start of the oldest backup kept anywhere: the 4th, on the main.
        String firstNeeded = site.pg.psql("select pg_walfile_name('" + backups.get(3).startLsn() + "')");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(segments(local).first()).isEqualTo(firstNeeded + ".zst"));
        assertThat(bus.data(WalRemoved.class, w -> w.cluster().equals(site.cluster))).isNotEmpty()
                .allSatisfy(w -> assertThat(w.last().compareTo(firstNeeded)).isNegative());

        // A point in time inside each storage's window restores exactly the rows committed by then.
        assertThat(drill("local", committed.get(4))).isEqualTo(rows(5));
        assertThat(drill("s3", committed.get(6))).isEqualTo(rows(7));
        // Before the profile's window (its oldest backup is the 6th): refused, naming where the window begins.
        RestoreFailed refused = (RestoreFailed) restore("s3", committed.get(4), "refused");
        assertThat(refused.reason()).contains("before the consistency point of every backup on storage 's3'",
                ids.get(5));
    }

    @Test
    void theCliDeletesABackupAfterConfirmationRefusesTheLastOneUnlessForcedAndAppliesRetention() throws Exception {
        Site small = new Site("delete", work, services.configFolder());
        try {
            Path local = small.storage("local");
            small.configure(false, Site.filesystem("local", true, local) + "      retention: {keep: 2}\n");
            bus.await(TopologyApplied.class, t -> t.cluster().equals(small.cluster), Duration.ofSeconds(60));
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                String id = "d" + i + "-" + UUID.randomUUID().toString().substring(0, 4);
                ids.add(id);
                publisher.publishAndWait(Envelope.root(SOURCE, new BackupRequested(small.cluster, null, id)));
                bus.await(BackupCompleted.class, b -> b.backupId().equals(id), Duration.ofMinutes(2));
            }
            Path backups = local.resolve("stowage").resolve(small.cluster).resolve("backups");
            // keep: 2 removed the first after the third.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(folders(backups)).containsExactlyElementsOf(new TreeSet<>(ids.subList(1, 3))));
            // The catalog lists the newest two before the CLI reads it.
            await().atMost(Duration.ofSeconds(30)).until(() -> bus.find(BackupRemoved.class,
                    r -> r.backupId().equals(ids.get(0))).isPresent());
            StowageCli cli = new StowageCli(work.resolve("cli"), Map.of());
            String kafka = SharedKafka.bootstrapServers();

            StowageCli.Result unconfirmed = cli.run(Duration.ofMinutes(1), "backup", "delete", "--kafka", kafka,
                    "--cluster", small.cluster, "--backup", ids.get(1));
            assertThat(unconfirmed.exitCode()).as(unconfirmed.toString()).isNotZero();
            assertThat(unconfirmed.err()).contains("not deleted: confirm with y, or add --yes");
            assertThat(folders(backups)).contains(ids.get(1));

            StowageCli.Result deleted = cli.run(Duration.ofMinutes(1), "backup", "delete", "--kafka", kafka,
                    "--cluster", small.cluster, "--backup", ids.get(1), "--yes");
            assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
            assertThat(deleted.out()).contains("local: removed");
            assertThat(folders(backups)).containsExactly(ids.get(2));

            StowageCli.Result last = cli.run(Duration.ofMinutes(1), "backup", "delete", "--kafka", kafka,
                    "--cluster", small.cluster, "--backup", ids.get(2), "--yes");
            assertThat(last.exitCode()).as(last.toString()).isNotZero();
            assertThat(last.err()).contains("the only complete backup on storage 'local'", "force");
            assertThat(folders(backups)).containsExactly(ids.get(2));

            StowageCli.Result applied = cli.run(Duration.ofMinutes(1), "retention", "apply", "--kafka", kafka,
                    "--cluster", small.cluster, "--wait");
            assertThat(applied.exitCode()).as(applied.toString()).isZero();
            assertThat(applied.out()).contains("done: 0 backups and 0 WAL segments removed");

            StowageCli.Result forced = cli.run(Duration.ofMinutes(1), "backup", "delete", "--kafka", kafka,
                    "--cluster", small.cluster, "--backup", ids.get(2), "--yes", "--force");
            assertThat(forced.exitCode()).as(forced.toString()).isZero();
            assertThat(folders(backups)).isEmpty();
        } finally {
            small.close();
        }
    }

    private List<String> removed(String storage) {
        return bus.data(BackupRemoved.class, r -> r.cluster().equals(site.cluster) && r.storage().equals(storage))
                .stream().map(BackupRemoved::backupId).toList();
    }

    private static String rows(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "row" + i).collect(Collectors.joining(","));
    }

    /** Restores from a storage to a new instance at a point in time; returns its rows. */
    private String drill(String storage, OffsetDateTime time) throws Exception {
        RestoreCompleted done = (RestoreCompleted) restore(storage, time, "drill");
        Path data = Path.of(done.dataDirectory());
        try {
            return Site.rowsAt(port(done.restoreId()));
        } finally {
            PostgresCluster.stopServer(data);
        }
    }

    private final Map<String, Integer> ports = new java.util.HashMap<>();

    private int port(String restoreId) {
        return ports.get(restoreId);
    }

    private StowageEvent restore(String storage, OffsetDateTime time, String purpose) throws Exception {
        String restoreId = purpose + "-" + UUID.randomUUID().toString().substring(0, 6);
        Path target = Files.createDirectories(site.home.resolve("drills").resolve(restoreId)).resolve("data");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ports.put(restoreId, port);
        publisher.publishAndWait(Envelope.root(SOURCE, new RestoreRequested(site.cluster, "latest", storage,
                new PitrTarget(time, null), null, null, restoreId, new RestoreTarget(target.toString(), port))));
        await().atMost(Duration.ofMinutes(3)).until(() -> outcome(restoreId) != null);
        return outcome(restoreId);
    }

    private StowageEvent outcome(String restoreId) {
        return bus.find(RestoreCompleted.class, r -> r.restoreId().equals(restoreId)).map(StowageEvent.class::cast)
                .or(() -> bus.find(RestoreFailed.class, r -> r.restoreId().equals(restoreId)))
                .orElse(null);
    }

    private static List<String> folders(Path dir) throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The backups with files in the S3 server's bucket (S3Proxy keeps a file per object). */
    private static List<String> s3Backups() throws IOException {
        Path backups = s3.dataDirectory().resolve("retention-it").resolve("stowage").resolve(site.cluster)
                .resolve("backups");
        if (!Files.isDirectory(backups)) {
            return List.of();
        }
        // Retention deletes while this walks: a file listed then gone ends the walk, so walk again.
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> files = Files.walk(backups)) {
                return files.filter(Files::isRegularFile).map(f -> backups.relativize(f).getName(0).toString())
                        .distinct().sorted().toList();
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    private static TreeSet<String> segments(Path local) throws IOException {
        Path wal = local.resolve("stowage").resolve(site.cluster).resolve("wal").resolve("00000001");
        try (Stream<Path> files = Files.list(wal)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9A-F]{24}\\.zst"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
