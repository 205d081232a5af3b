package io.stowage.config.it;

import io.stowage.bus.BusReader;
import io.stowage.config.leader.KafkaElection;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.stowage.config.it.BackupConfigResourcesIT.events;
import static io.stowage.config.it.ConfigLeaderElectionIT.signal;
import static io.stowage.config.it.ConfigServiceIT.config;
import static io.stowage.config.it.ConfigServiceIT.save;
import static io.stowage.config.it.ConfigServiceIT.topology;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two config-service replicas on one config folder, elected through Kafka ({@code stowage.leader-election.via=kafka}:
 * no Kubernetes): one leads, the other stands by; the leader killed with SIGKILL, the other leads within 15 s; a
 * leader frozen past its session is fenced when it wakes. Every change is published exactly once.
 */
class ConfigKafkaElectionIT {
    static String bootstrap;
    static Path dir;
    static Path folder;
    static final Map<String, ServiceProcess> replicas = new HashMap<>();
    static final List<String> EXPECTED = List.of("MAIN_CHANGED b (was a)", "MAIN_SET a", "PROFILE_ADDED a",
            "PROFILE_ADDED b", "PROFILE_REMOVED b", "resync b");

    @BeforeAll
    static void start() throws IOException {
        bootstrap = SharedKafka.bootstrapServers();
        dir = Files.createTempDirectory("config-kafka-election-it");
        folder = Files.createDirectories(dir.resolve("config"));
    }

    @AfterEach
    void stopReplicas() throws InterruptedException {
        for (ServiceProcess p : replicas.values()) {
            p.stop();
        }
        replicas.clear();
    }

    static ServiceProcess replica(String name) throws IOException {
        ServiceProcess p = ConfigServiceProcess.start(bootstrap, folder, dir.resolve(name + ".log"), name, Map.of(
                "stowage.leader-election.enabled", "true",
                "stowage.leader-election.via", "kafka",
                "stowage.config.rescan", "2s"));
        replicas.put(name, p);
        return p;
    }

    /** The replica whose election consumer holds partition 0 of stowage.topology, or null. */
    static String holder() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            var group = admin.describeConsumerGroups(List.of(KafkaElection.GROUP)).all().get()
                    .get(KafkaElection.GROUP);
            for (MemberDescription m : group.members()) {
                if (m.assignment().topicPartitions().contains(new TopicPartition("stowage.topology", 0))) {
                    return replicas.keySet().stream().filter(r -> m.clientId().endsWith(r)).findFirst().orElse(null);
                }
            }
            return null;
        }
    }

    /** Members of the election group with partitions assigned. */
    static int groupSize() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            return (int) admin.describeConsumerGroups(List.of(KafkaElection.GROUP)).all().get()
                    .get(KafkaElection.GROUP).members().stream()
                    .filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
        }
    }

    @Test
    void oneReplicaLeadsAndWhenItIsKilledTheOtherLeadsWithin15sWithEveryChangePublishedOnce() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String first = "kconfig-a-" + suffix;
        String second = "kconfig-b-" + suffix;
        replica(first);
        replica(second);
        await().atMost(Duration.ofSeconds(30)).until(() -> holder() != null);
        String leader = holder();
        String standby = leader.equals(first) ? second : first;
        // A third replica joining takes partitions, never the lead.
        String third = "kconfig-e-" + suffix;
        replica(third);
        await().atMost(Duration.ofSeconds(20)).until(() -> groupSize() == 3);
        assertThat(holder()).isEqualTo(leader);
        replicas.remove(third).stop();

        String cluster = "pg-" + suffix;
        try (BusWatch bus = new BusWatch(bootstrap, cluster)) {
            save(folder, cluster + ".yaml", config(cluster, "a"));
            bus.awaitUntil(s -> topology(s) != null && topology(s).revision() == 1);

            replicas.get(leader).kill();
            long killed = System.nanoTime();
            // Changed while nobody leads: the next leader publishes it, once.
            save(folder, cluster + ".yaml", config(cluster, "b"));
            await().atMost(Duration.ofSeconds(20)).until(() -> standby.equals(holder()));
            double seconds = (System.nanoTime() - killed) / 1e9;
            assertThat(seconds).as("seconds from SIGKILL to the new leader").isLessThan(15.0);
            System.out.printf("new leader %.1f s after the leader's SIGKILL%n", seconds);

            bus.awaitUntil(s -> topology(s) != null && topology(s).revision() == 2);
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20))
                    .until(() -> events(bus.toEnd()).stream().sorted().toList().equals(EXPECTED));
            assertThat(bus.toEnd().stream().filter(r -> r.valid() && r.event().data()
                    instanceof io.stowage.events.data.TopologyApplied).count()).isEqualTo(2);
        }
    }

    @Test
    void aLeaderFrozenPastItsSessionIsFencedWhenItWakesAndPublishesNothingTwice() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String first = "kconfig-c-" + suffix;
        String second = "kconfig-d-" + suffix;
        replica(first);
        replica(second);
        await().atMost(Duration.ofSeconds(30)).until(() -> holder() != null);
        String leader = holder();
        String standby = leader.equals(first) ? second : first;
        ServiceProcess frozen = replicas.get(leader);

        String cluster = "pg-" + suffix;
        try (BusWatch bus = new BusWatch(bootstrap, cluster)) {
            save(folder, cluster + ".yaml", config(cluster, "a"));
            bus.awaitUntil(s -> topology(s) != null && topology(s).revision() == 1);

            signal(frozen, "STOP");
            save(folder, cluster + ".yaml", config(cluster, "b"));
            await().atMost(Duration.ofSeconds(30)).until(() -> standby.equals(holder()));
            bus.awaitUntil(s -> topology(s) != null && topology(s).revision() == 2);

            signal(frozen, "CONT");
            // Awake, it finds its partition gone and its transactional id taken: it stops, having published nothing.
            await().atMost(Duration.ofSeconds(30)).until(() -> !frozen.alive());
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20))
                    .until(() -> events(bus.toEnd()).stream().sorted().toList().equals(EXPECTED));
            List<BusReader.Read> seen = bus.toEnd();
            assertThat(seen.stream().filter(r -> r.valid() && r.event().data()
                    instanceof io.stowage.events.data.TopologyApplied).count()).isEqualTo(2);
        }
    }
}
