package io.stowage.backup.it;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.spec.ScheduleSpec;
import io.stowage.events.spec.ScheduleTimes;
import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import io.stowage.backup.messaging.ArchiverOwnership;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A schedule every minute, two backup-service instances, the one that fires it killed with SIGKILL 2 s before a due
 * time: each due time makes exactly one backup, named after it; the one the survivor fires after the
 * takeover is marked late. It watches {@code -Dstowage.schedules.it.due-times} due times (3 in the suite, about 3
 * minutes; 5 for the run).
 */
class BackupSchedulesIT {
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final int DUE_TIMES = Integer.getInteger("stowage.schedules.it.due-times", 3);

    static Path work;
    static String bootstrap;
    static PostgresCluster pg;
    static ServiceProcess first;
    static ServiceProcess second;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("schedules-it");
        bootstrap = SharedKafka.bootstrapServers();
        pg = PostgresCluster.start(work.resolve("pg"));
        first = instance("one");
        second = instance("two");
        awaitOnlyTheseTwoOwnClusters();
    }

    /**
     * Waits until the archivers' group has settled on exactly these two instances. Instances of earlier tests stay
     * static members until their session times out (10 s); their leaving, or a late join of one of these two, would
     * move the cluster between instances while the test runs, and the instance killed would not be the owner.
     */
    static void awaitOnlyTheseTwoOwnClusters() {
        Set<String> ours = Set.of(ArchiverOwnership.GROUP + "-schedules-one", ArchiverOwnership.GROUP + "-schedules-two");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).during(Duration.ofSeconds(3))
                    .until(() -> {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(ArchiverOwnership.GROUP))
                        .describedGroups().get(ArchiverOwnership.GROUP).get();
                Set<String> members = group.members().stream()
                        .map(m -> m.groupInstanceId().orElse(m.consumerId())).collect(Collectors.toSet());
                return group.groupState() == GroupState.STABLE && members.equals(ours);
            });
        }
    }

    static ServiceProcess instance(String name) throws Exception {
        return new ServiceProcess(JAR, Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "stowage.secrets-folder", work.resolve("secrets").toString(),
                "stowage.instance-id", "schedules-" + name,
                "stowage.schedules.tick", "1s",
                // On time, a backup starts within about 1.5 s of its due time (a 1 s tick, then the request's
                // round trip). The takeover below comes at least 5 s after the due time it fires.
                "stowage.schedules.late-after", "3s",
                "stowage.wal.spool-folder", work.resolve("spool-" + name).toString()),
                log(name)).start();
    }

    static Path log(String name) {
        return work.resolve("backup-service-" + name + ".log");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (ServiceProcess s : new ServiceProcess[]{first, second}) {
            if (s != null) {
                s.close();
            }
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void eachDueTimeIsOneBackupNamedAfterIt_andTheOneFiredAfterATakeoverIsLate() throws Exception {
        String cluster = "sched_" + UUID.randomUUID().toString().substring(0, 6);
        Path local = Files.createDirectories(work.resolve("local"));
        List<StowageEvent> seen = new ArrayList<>();
        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false)) {
            BackupFixture.publishTopology(bootstrap, cluster, pg.host(), pg.port(), pg.binDirectory().toString(),
                    "local", Map.of("local", BackupFixture.filesystem(local)), false, 1,
                    List.of(new ScheduleSpec("every-minute", "* * * * *", null, null, null)));
            Function<Duration, List<BackupCompleted>> completions = timeout -> {
                List<BackupCompleted> done = new ArrayList<>();
                read(reader, seen, cluster);
                seen.stream().filter(e -> e instanceof BackupCompleted).map(e -> (BackupCompleted) e).forEach(done::add);
                return done;
            };

            // The first due time after the topology: fired by whichever instance owns the cluster.
            await().atMost(Duration.ofMinutes(2)).until(() -> !completions.apply(null).isEmpty());
            Instant firstDue = dueOf(completions.apply(null).get(0).backupId());
            ServiceProcess owner = firedHere("one", cluster) ? first : second;
            ServiceProcess survivor = owner == first ? second : first;
            assertThat(firedHere(owner == first ? "two" : "one", cluster)).as("only one instance fires").isFalse();

            // Killed 2 s before the next due time: the survivor gets the cluster once the session timeout (10 s) has
            // run from the last heartbeat (every 3 s), so at least 5 s after that due time, which it fires late.
            Instant killAt = firstDue.plusSeconds(58);
            await().atMost(Duration.ofMinutes(1)).until(() -> !Instant.now().isBefore(killAt));
            owner.kill();

            Instant lastDue = firstDue.plusSeconds(60L * (DUE_TIMES - 1));
            String lastId = ScheduleTimes.backupId("every-minute", lastDue);
            await().atMost(Duration.ofMinutes(DUE_TIMES + 1)).until(() -> completions.apply(null).stream()
                    .anyMatch(c -> c.backupId().equals(lastId)));
            await().pollDelay(Duration.ofSeconds(3)).until(() -> true);
            List<BackupCompleted> done = completions.apply(null);

            List<String> expected = new ArrayList<>();
            for (int i = 0; i < DUE_TIMES; i++) {
                expected.add(ScheduleTimes.backupId("every-minute", firstDue.plusSeconds(60L * i)));
            }
            Map<String, Long> perId = done.stream().collect(Collectors.groupingBy(BackupCompleted::backupId,
                    Collectors.counting()));
            assertThat(perId.keySet()).as("one backup per due time, named after it").containsExactlyInAnyOrderElementsOf(
                    expected.stream().filter(id -> !dueOf(id).isAfter(lastDue)).toList());
            assertThat(perId.values()).as("no due time answered twice").allMatch(n -> n == 1);
            assertThat(seen.stream().filter(e -> e instanceof BackupFailed)).as("no backup failed").isEmpty();
            Map<String, BackupCompleted> byId = done.stream().collect(Collectors.toMap(BackupCompleted::backupId,
                    c -> c));
            assertThat(byId.get(expected.get(0)).late()).as("the first, on time").isFalse();
            assertThat(byId.get(expected.get(1)).late()).as("the one after the takeover").isTrue();
            assertThat(byId.values()).allMatch(c -> "every-minute".equals(c.schedule()));
            if (DUE_TIMES > 2) {
                assertThat(byId.get(expected.get(2)).late()).as("the survivor's next, on time").isFalse();
            }
            long requests = seen.stream().filter(e -> e instanceof BackupRequested).count();
            assertThat(requests).as("each due time asked for once").isEqualTo(DUE_TIMES);
            assertThat(survivor.alive()).isTrue();
            for (String id : expected) {
                assertThat(local.resolve("stowage").resolve(cluster).resolve("backups").resolve(id)
                        .resolve("stowage.json")).exists();
            }
        }
    }

    private static void read(BusReader reader, List<StowageEvent> seen, String cluster) {
        reader.poll(Duration.ofMillis(300)).stream().filter(BusReader.Read::valid).map(r -> r.event().data())
                .filter(d -> cluster.equals(d.cluster())).forEach(seen::add);
    }

    private static Instant dueOf(String backupId) {
        String stamp = backupId.substring(backupId.lastIndexOf('-') + 1); // yyyyMMddTHHmmZ
        return Instant.parse(stamp.substring(0, 4) + "-" + stamp.substring(4, 6) + "-" + stamp.substring(6, 8) + "T"
                + stamp.substring(9, 11) + ":" + stamp.substring(11, 13) + ":00Z");
    }

    private static boolean firedHere(String instance, String cluster) {
        try {
            return Files.readString(log(instance)).contains("schedule every-minute of " + cluster + ": backup");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
