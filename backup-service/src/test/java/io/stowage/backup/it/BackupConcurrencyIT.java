package io.stowage.backup.it;

import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.data.BackupRequested;
import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several backup-service instances in one consumer group, against a real Kafka broker and real PostgreSQL servers: a
 * long backup holds up neither another cluster's backup on its partition nor the group (no member is evicted), a
 * rebalance during a long backup neither loses it nor runs it twice, and a live instance takes over the backup of one
 * killed mid-backup.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupConcurrencyIT {
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    /**
     * pg_basebackup's rate on every instance: the big database (about 280 MB read) takes about 30 s, a fresh one
     * (about 40 MB with its WAL segment) about 4 s.
     */
    static final String MAX_RATE = "10M";
    static final int BIG_ROWS = 1_000_000;
    /**
     * The channel's max.poll.interval.ms, well below a long backup: a backup that held the poll would get its
     * consumer evicted from the group.
     */
    static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(10);
    static final List<String> EVICTION_SIGNS = List.of("poll timeout has expired", "leaving group",
            "LeaveGroup", "max.poll.interval.ms");

    static Path work;
    static Path storage;
    static String bootstrap;
    static String run;
    static PostgresCluster big;
    static PostgresCluster small;
    static KafkaEventPublisher publisher;
    static BackupEventLog events;
    static BackupRequestGroup group;
    static Instance one;
    static Instance two;
    static Instance three;
    /** Test 1: two clusters whose requests share a partition, the first big, the second small. */
    static String slowCluster;
    static String quickCluster;
    /** Test 2: a cluster of the big database on each partition. */
    static List<String> clusterOnPartition;
    /** Test 3: a cluster of the big database whose backup loses its instance. */
    static String killedCluster;

    /** One backup-service process: its stowage.instance-id and its log. */
    record Instance(String id, Path log, ServiceProcess process) {
        String logText() throws IOException {
            return Files.exists(log) ? Files.readString(log) : "";
        }

        /** The log from a byte position on. */
        String logSince(long position) throws IOException {
            try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                byte[] rest = new byte[(int) Math.max(0, file.length() - position)];
                file.seek(position);
                file.readFully(rest);
                return new String(rest, StandardCharsets.UTF_8);
            }
        }

        long logSize() throws IOException {
            return Files.exists(log) ? Files.size(log) : 0;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("backup-concurrency-it");
        bootstrap = SharedKafka.bootstrapServers();
        run = UUID.randomUUID().toString().substring(0, 6);
        group = new BackupRequestGroup(bootstrap);
        // pg_basebackup -X fetch collects the backup's WAL at its end: the server must keep it until then, also when
        // another backup's checkpoint comes in between (test 2 reads this server three times at once).
        big = PostgresCluster.start(work.resolve("pg-big"), Map.of("wal_keep_size", "'1GB'"));
        // Plain text rows below the TOAST threshold: the data directory grows by the table's size, and zstd shrinks it
        // to little, so that the backup's time is pg_basebackup's rate and not the compression. Frozen at once, so
        // that autovacuum does not rewrite it (about as much WAL as data) while the tests back it up.
        big.psql("create table ballast as select g as id, repeat(md5(g::text), 6) as payload"
                + " from generate_series(1, " + BIG_ROWS + ") g;");
        big.psql("vacuum (freeze, analyze) ballast; checkpoint;");
        small = PostgresCluster.start(work.resolve("pg-small"));
        storage = Files.createDirectories(work.resolve("local"));
        Files.createDirectories(work.resolve("secrets"));

        slowCluster = "conc-" + run + "-slow";
        quickCluster = group.keyOn("conc-" + run + "-quick", group.partitionOf(slowCluster));
        clusterOnPartition = new ArrayList<>();
        for (int p = 0; p < group.partitions(); p++) {
            clusterOnPartition.add(group.keyOn("conc-" + run + "-moving", p));
        }
        killedCluster = "conc-" + run + "-killed";
        publish(slowCluster, big);
        publish(quickCluster, small);
        clusterOnPartition.forEach(c -> publish(c, big));
        publish(killedCluster, big);

        publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "backup-concurrency-it");
        events = new BackupEventLog(bootstrap);
        one = instance("one");
        two = instance("two");
        three = instance("three");
        one.process().start();
        two.process().start();
    }

    static void publish(String cluster, PostgresCluster pg) {
        BackupFixture.publishTopology(bootstrap, cluster, pg, "local",
                Map.of("local", BackupFixture.filesystem(storage)));
    }

    static Instance instance(String name) {
        String id = "conc-" + name + "-" + run;
        Path log = work.resolve("backup-service-" + name + ".log");
        return new Instance(id, log, new ServiceProcess(JAR, Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "stowage.secrets-folder", work.resolve("secrets").toString(),
                "stowage.instance-id", id,
                // Base backups only: WAL archiving is another consumer group, not under test here.
                "stowage.wal.enabled", "false",
                "stowage.backup.max-rate", MAX_RATE,
                "stowage.backup.progress-interval", "1s",
                // Heartbeats every second: ten missed ones and the backup is another instance's to take over.
                "stowage.backup.lease", "10s",
                "mp.messaging.incoming.backup-requests.max.poll.interval.ms",
                String.valueOf(MAX_POLL_INTERVAL.toMillis())), log));
    }

    @AfterAll
    static void stop() {
        for (Instance i : new Instance[]{one, two, three}) {
            if (i != null) {
                i.process().close();
            }
        }
        if (events != null) {
            events.close();
        }
        if (group != null) {
            group.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        for (PostgresCluster pg : new PostgresCluster[]{big, small}) {
            if (pg != null) {
                pg.close();
            }
        }
        // About a gigabyte a run (data directories, kept WAL, backups): gone; the services' and servers' logs stay.
        if (work != null) {
            for (String bulky : List.of("pg-big/data", "pg-small/data", "local", "verify-killed")) {
                deleteTree(work.resolve(bulky));
            }
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Only a temporary folder: the OS clears it eventually.
        }
    }

    @Test
    @Order(1)
    void aLongBackupHoldsUpNeitherAnotherClustersBackupOnItsPartitionNorTheGroup() throws Exception {
        BackupRequestGroup.Snapshot before = group.awaitStable(ids(one, two), Duration.ofSeconds(60));
        int partition = group.partitionOf(slowCluster);
        Instance owner = byId(before.ownerOf(partition));
        Map<Instance, Long> logFrom = logSizes(one, two);

        Envelope<BackupRequested> slow = BackupFixture.request(publisher, slowCluster, List.of("local"),
                "slow-" + run);
        events.awaitReading(slow, Duration.ofSeconds(60));
        Envelope<BackupRequested> quick = BackupFixture.request(publisher, quickCluster, List.of("local"),
                "quick-" + run);
        events.awaitOutcome(quick, Duration.ofSeconds(60));
        assertThat(events.answered(slow)).as("the slow backup still runs when the quick one is answered").isFalse();
        events.awaitOutcome(slow, Duration.ofMinutes(2));
        events.catchUp();

        assertThat(events.recordOf(slow).record().partition()).isEqualTo(partition);
        assertThat(events.recordOf(quick).record().partition()).as("both requests on one partition")
                .isEqualTo(partition);
        assertCompletedOnce(slow);
        assertCompletedOnce(quick);
        // One partition: its offsets order the two backups. The quick one started and completed inside the slow one.
        assertThat(events.offsetOf(quick, EventType.BACKUP_STARTED))
                .isGreaterThan(events.offsetOf(slow, EventType.BACKUP_STARTED));
        assertThat(events.offsetOf(quick, EventType.BACKUP_COMPLETED))
                .isLessThan(events.offsetOf(slow, EventType.BACKUP_COMPLETED));
        assertThat(Duration.between(event(slow, EventType.BACKUP_STARTED).time(),
                event(slow, EventType.BACKUP_COMPLETED).time()))
                .as("the slow backup outlasted max.poll.interval.ms").isGreaterThan(MAX_POLL_INTERVAL);
        assertThat(owner.logSince(logFrom.get(owner))).as("both ran on the partition's owner")
                .contains(starting(slow)).contains(starting(quick));

        BackupRequestGroup.Snapshot after = group.describe();
        assertThat(after.state()).isEqualTo(GroupState.STABLE);
        assertThat(after.memberIds()).as("no member left, was evicted or rejoined").isEqualTo(before.memberIds());
        assertThat(after.members()).as("no partition moved").isEqualTo(before.members());
        for (Instance i : List.of(one, two)) {
            String log = i.logSince(logFrom.get(i));
            EVICTION_SIGNS.forEach(sign -> assertThat(log).as(i.id() + "'s log").doesNotContainIgnoringCase(sign));
        }
        awaitCommittedPast(partition, slow, Duration.ofSeconds(30));
    }

    @Test
    @Order(2)
    void aRebalanceDuringALongBackupNeitherLosesItNorRunsItTwice() throws Exception {
        BackupRequestGroup.Snapshot before = group.awaitStable(ids(one, two), Duration.ofSeconds(60));
        // A long backup on every partition: whichever partition the new member is given, a backup is running on it.
        List<Envelope<BackupRequested>> requests = new ArrayList<>();
        for (int p = 0; p < group.partitions(); p++) {
            requests.add(BackupFixture.request(publisher, clusterOnPartition.get(p), List.of("local"),
                    "moving-" + p + "-" + run));
        }
        for (Envelope<BackupRequested> r : requests) {
            events.awaitReading(r, Duration.ofSeconds(60));
        }
        Map<Instance, Long> logFrom = logSizes(one, two, three);

        three.process().start();
        BackupRequestGroup.Snapshot after = group.awaitStable(ids(one, two, three), Duration.ofSeconds(60));
        assertThat(after.members().get(three.id()).partitions()).hasSize(1);
        int moved = after.members().get(three.id()).partitions().iterator().next();
        Instance previous = byId(before.ownerOf(moved));
        Envelope<BackupRequested> request = requests.get(moved);
        events.catchUp();
        assertThat(events.answered(request)).as("partition %d moved from %s to %s while its backup ran", moved,
                previous.id(), three.id()).isFalse();
        for (int p = 0; p < group.partitions(); p++) {
            if (p != moved) {
                assertThat(after.ownerOf(p)).as("cooperative: partition %d stays", p).isEqualTo(before.ownerOf(p));
            }
        }

        for (Envelope<BackupRequested> r : requests) {
            events.awaitOutcome(r, Duration.ofMinutes(2));
        }
        // Settled in the group: the new owner acknowledged the request it was handed again, so whatever it did with
        // it is on the bus by now.
        awaitCommittedPast(moved, request, Duration.ofSeconds(60));
        events.catchUp();

        for (Envelope<BackupRequested> r : requests) {
            assertCompletedOnce(r);
        }
        assertThat(previous.logText()).as("the previous owner ran it").contains(starting(request));
        assertThat(previous.logSince(logFrom.get(previous))).as("once").doesNotContain(starting(request));
        // The new owner found it running elsewhere, waited, and settled it on its outcome without running it.
        assertThat(three.logSince(logFrom.get(three)))
                .contains(request.id() + ": another instance is running it")
                .contains(request.id() + ": already answered on the bus, not run again")
                .as("the new owner never started it").doesNotContain(starting(request));
    }

    @Test
    @Order(3)
    void aBackupWhoseInstanceIsKilledIsTakenOverByALiveOne() throws Exception {
        Set<String> live = Stream.of(one, two, three).filter(i -> i.process().alive()).map(Instance::id)
                .collect(Collectors.toSet());
        BackupRequestGroup.Snapshot before = group.awaitStable(live, Duration.ofSeconds(60));
        int partition = group.partitionOf(killedCluster);
        Instance victim = byId(before.ownerOf(partition));
        String backupId = "killed-" + run;

        Envelope<BackupRequested> request = BackupFixture.request(publisher, killedCluster, List.of("local"),
                backupId);
        events.awaitReading(request, Duration.ofSeconds(60));
        victim.process().kill();
        Set<String> survivors = live.stream().filter(id -> !id.equals(victim.id())).collect(Collectors.toSet());
        // The killed static member holds its partitions until its session times out (10 s); then they move.
        BackupRequestGroup.Snapshot after = group.awaitStable(survivors, Duration.ofSeconds(60));
        Instance heir = byId(after.ownerOf(partition));

        events.awaitOutcome(request, Duration.ofMinutes(2));
        awaitCommittedPast(partition, request, Duration.ofSeconds(30));
        events.catchUp();

        assertThat(events.count(request, EventType.BACKUP_FAILED)).isZero();
        assertThat(events.count(request, EventType.BACKUP_COMPLETED)).isEqualTo(1);
        assertThat(events.count(request, EventType.BACKUP_STARTED)).as("the killed run and the heir's").isEqualTo(2);
        assertThat(heir.logText()).contains(starting(request));
        Path folder = storage.resolve("stowage").resolve(killedCluster).resolve("backups").resolve(backupId);
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("nothing left of the killed run").containsExactlyInAnyOrder("base.tar.zst", "stowage.json");
        }
        Path data = Files.createDirectories(work.resolve("verify-killed"));
        run("bash", "-c", "zstd -d -c '" + folder.resolve("base.tar.zst") + "' | tar -x -C '" + data + "'");
        run(big.binDirectory().resolve("pg_verifybackup").toString(), data.toString());
    }

    private static void assertCompletedOnce(Envelope<BackupRequested> request) {
        assertThat(events.count(request, EventType.BACKUP_FAILED)).as("failed: " + request.data()).isZero();
        assertThat(events.count(request, EventType.BACKUP_STARTED)).as("started: " + request.data()).isEqualTo(1);
        assertThat(events.count(request, EventType.BACKUP_COMPLETED)).as("completed: " + request.data())
                .isEqualTo(1);
        assertThat(storage.resolve("stowage/" + request.data().cluster() + "/backups/" + request.data().backupId()
                + "/stowage.json")).exists();
    }

    /** Waits until the group's offset on the partition is past the request: it was acknowledged, after its outcome. */
    private static void awaitCommittedPast(int partition, Envelope<BackupRequested> request, Duration timeout) {
        long offset = events.recordOf(request).record().offset();
        await("the group commits past " + request.data().backupId() + " (partition " + partition + ", offset "
                + offset + ")").atMost(timeout).until(() -> group.committed(partition) > offset);
    }

    private static Envelope<?> event(Envelope<BackupRequested> request, EventType type) {
        return events.causedBy(request).stream().map(r -> r.event()).filter(e -> e.type() == type).findFirst()
                .orElseThrow();
    }

    /** What BackupRequestHandler logs when it starts reading the database for the request. */
    private static String starting(Envelope<BackupRequested> request) {
        return "backup " + request.data().backupId() + " of " + request.data().cluster() + " to [local]: starting";
    }

    private static Set<String> ids(Instance... instances) {
        return Stream.of(instances).map(Instance::id).collect(Collectors.toSet());
    }

    private static Instance byId(String id) {
        return Stream.of(one, two, three).filter(i -> i.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no instance " + id));
    }

    private static Map<Instance, Long> logSizes(Instance... instances) throws IOException {
        Map<Instance, Long> sizes = new HashMap<>();
        for (Instance i : instances) {
            sizes.put(i, i.logSize());
        }
        return sizes;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
