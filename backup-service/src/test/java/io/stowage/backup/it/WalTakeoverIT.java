package io.stowage.backup.it;

import io.stowage.events.data.WalArchived;
import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two backup-service instances: a cluster's WAL is archived by exactly one of them, and when that one is killed with
 * SIGKILL under write load, the other takes the cluster over and no segment is lost.
 */
class WalTakeoverIT {
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    static Path work;
    static String bootstrap;
    static PostgresCluster pg;
    static ServiceProcess first;
    static ServiceProcess second;
    static WalEventLog events;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("wal-takeover-it");
        bootstrap = SharedKafka.bootstrapServers();
        pg = PostgresCluster.start(work.resolve("pg"));
        events = new WalEventLog(bootstrap);
        first = instance("one");
        second = instance("two");
    }

    static ServiceProcess instance(String name) throws Exception {
        return new ServiceProcess(JAR, Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "stowage.secrets-folder", work.resolve("secrets").toString(),
                "stowage.instance-id", "takeover-" + name,
                "stowage.wal.spool-folder", work.resolve("spool-" + name).toString()),
                work.resolve("backup-service-" + name + ".log")).start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (ServiceProcess s : new ServiceProcess[]{first, second}) {
            if (s != null) {
                s.close();
            }
        }
        if (events != null) {
            events.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aKilledArchiverIsTakenOverWithoutLosingASegment() throws Exception {
        String cluster = "takeover_" + UUID.randomUUID().toString().substring(0, 6);
        Path local = Files.createDirectories(work.resolve("local"));
        BackupFixture.publishTopology(bootstrap, cluster, pg, "local",
                Map.of("local", BackupFixture.filesystem(local)), true, 1);
        String start = WalChain.awaitSlot(pg, cluster);

        ServiceProcess owner = await().atMost(Duration.ofSeconds(30)).until(() -> archivingHere(cluster, first)
                ? first : archivingHere(cluster, second) ? second : null, s -> s != null);
        ServiceProcess survivor = owner == first ? second : first;
        assertThat(archivingHere(cluster, survivor)).as("exactly one instance archives the cluster").isFalse();

        pg.pgbench("-i", "-s", "2", "-q");
        Thread load = new Thread(() -> pg.pgbench("-c", "2", "-T", "12", "-n"), "load");
        load.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> events.archivedNames(cluster).size() >= 2);
        owner.kill();
        load.join();
        String last = WalChain.switchWal(pg);

        Map<String, WalArchived> archived = events.awaitArchived(cluster, start, last);
        // Read from its metrics page, which a loaded machine may answer late: asked again until it answers.
        await().atMost(Duration.ofSeconds(30)).until(() -> archivingHere(cluster, survivor));
        Map<String, List<String>> checksums = events.archived(cluster).stream().collect(Collectors.groupingBy(
                WalArchived::segment, Collectors.mapping(WalArchived::sha256, Collectors.toList())));
        assertThat(checksums.values()).as("a segment archived twice has the same content both times")
                .allMatch(sums -> sums.stream().distinct().count() == 1);

        Path dir = Files.createDirectories(work.resolve("read-back"));
        for (String segment : WalChain.range(start, last)) {
            Path copy = dir.resolve(segment);
            WalChain.decompress(Files.newInputStream(local.resolve("stowage").resolve(cluster).resolve("wal")
                    .resolve("00000001").resolve(segment + ".zst")), copy);
            assertThat(WalChain.sha256(copy)).isEqualTo(archived.get(segment).sha256());
        }
        assertThat(WalChain.waldump(pg, dir, start, last)).startsWith("exit 0");
    }

    /** Whether this instance runs the cluster's archiver (its WAL gauges exist only where it runs). */
    static boolean archivingHere(String cluster, ServiceProcess instance) {
        try {
            return instance.alive() && instance.get("/q/metrics").lines().anyMatch(line ->
                    line.startsWith("stowage_wal_queue_segments{cluster=\"" + cluster + "\"}"));
        } catch (Exception e) {
            return false;
        }
    }
}
