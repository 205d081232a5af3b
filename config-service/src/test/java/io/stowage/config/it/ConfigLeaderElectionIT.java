package io.stowage.config.it;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.stowage.bus.BusReader;
import io.stowage.localstack.ApiPermissions;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.stowage.config.it.BackupConfigResourcesIT.events;
import static io.stowage.config.it.ConfigServiceIT.config;
import static io.stowage.config.it.ConfigServiceIT.save;
import static io.stowage.config.it.ConfigServiceIT.topology;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two config-service replicas under leader election (a Lease on Fabric8's mock API server in CRUD mode), one config
 * folder, a real broker: one leads, the other stands by; the leader killed with SIGKILL, the other leads within
 * 15 s, and every change, including one made while nobody led, is published exactly once.
 */
class ConfigLeaderElectionIT {
    static final String NAMESPACE = "stowage";
    static final String LEASE = "stowage-config-service";
    static final Path LEADER_ROLE = Path.of("../k8s/install/023-Role-stowage-config-leader.yaml");

    static KubernetesMockServer api;
    static KubernetesClient kube;
    static String bootstrap;
    static Path dir;
    static Path folder;
    static final Map<String, ServiceProcess> replicas = new HashMap<>();

    @BeforeAll
    static void start() throws IOException {
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        kube = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(api.url("/"))
                .withTrustCerts(true).withNamespace(NAMESPACE).withUserAgent(BackupConfigResourcesIT.TEST_CLIENT).build())
                .build();
        bootstrap = SharedKafka.bootstrapServers();
        dir = Files.createTempDirectory("config-leader-it");
        folder = Files.createDirectories(dir.resolve("config"));
    }

    @AfterEach
    void stopReplicas() throws InterruptedException {
        // SIGTERM: a replica that leads releases the lease as it stops, so the next test's replicas need not wait.
        for (ServiceProcess p : replicas.values()) {
            p.stop();
        }
        replicas.clear();
    }

    @AfterAll
    static void stop() {
        if (kube != null) {
            kube.close();
        }
        if (api != null) {
            api.destroy();
        }
    }

    static ServiceProcess replica(String name) throws IOException {
        ServiceProcess p = ConfigServiceProcess.start(bootstrap, folder, dir.resolve(name + ".log"), name, Map.of(
                "stowage.leader-election.enabled", "true",
                "stowage.config.rescan", "2s",
                "quarkus.kubernetes-client.api-server-url", api.url("/"),
                "quarkus.kubernetes-client.namespace", NAMESPACE,
                "quarkus.kubernetes-client.trust-certs", "true"));
        replicas.put(name, p);
        return p;
    }

    static String holder() {
        Lease lease = kube.leases().inNamespace(NAMESPACE).withName(LEASE).get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    @Test
    void oneReplicaLeadsAndWhenItIsKilledTheOtherLeadsWithin15sWithEveryChangePublishedOnce() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String first = "config-a-" + suffix;
        String second = "config-b-" + suffix;
        replica(first);
        replica(second);
        // The lease may still name a replica of an earlier test until it runs out.
        await().atMost(Duration.ofSeconds(30)).until(() -> first.equals(holder()) || second.equals(holder()));
        String leader = holder();
        String standby = leader.equals(first) ? second : first;
        // Only the leader applies restores' backupSources: the standby has not even joined that consumer group.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(restoreGroupMembers())
                .singleElement().satisfies(m -> assertThat(m.groupInstanceId()).hasValueSatisfying(id ->
                        assertThat(id).contains(leader))));

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
            // Each event once: none lost in the switch, none published again by the new leader.
            List<String> expected = List.of("MAIN_CHANGED b (was a)", "MAIN_SET a", "PROFILE_ADDED a",
                    "PROFILE_ADDED b", "PROFILE_REMOVED b", "resync b");
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20))
                    .until(() -> events(bus.toEnd()).stream().sorted().toList().equals(expected));
            List<BusReader.Read> seen = bus.toEnd();
            assertThat(seen.stream().filter(r -> r.valid() && r.event().data()
                    instanceof io.stowage.events.data.TopologyApplied).count()).isEqualTo(2);
            assertThat(replicas.get(standby).get("/q/health/ready")).contains("\"status\": \"UP\"");
        }
        // The leader election asked the API server for nothing beyond the shipped Role.
        Set<String> used = new TreeSet<>();
        for (RecordedRequest r = api.takeRequest(1, TimeUnit.SECONDS); r != null;
             r = api.takeRequest(100, TimeUnit.MILLISECONDS)) {
            if (!BackupConfigResourcesIT.TEST_CLIENT.equals(r.getHeader("User-Agent"))) {
                ApiPermissions.of(r.getMethod(), r.getPath()).ifPresent(used::add);
            }
        }
        Role role = Serialization.unmarshal(Files.readString(LEADER_ROLE), Role.class);
        Set<String> granted = new TreeSet<>();
        role.getRules().forEach(rule -> rule.getApiGroups().forEach(g -> rule.getResources().forEach(res ->
                rule.getVerbs().forEach(v -> granted.add(g + " " + res + " " + v)))));
        assertThat(granted).containsAll(used);
        assertThat(used).containsAll(granted);
    }

    @Test
    void aLeaderFrozenPastItsLeaseIsFencedWhenItWakesAndPublishesNothingTwice() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String first = "config-c-" + suffix;
        String second = "config-d-" + suffix;
        replica(first);
        replica(second);
        await().atMost(Duration.ofSeconds(30)).until(() -> first.equals(holder()) || second.equals(holder()));
        String leader = holder();
        String standby = leader.equals(first) ? second : first;
        ServiceProcess frozen = replicas.get(leader);

        String cluster = "pg-" + suffix;
        try (BusWatch bus = new BusWatch(bootstrap, cluster)) {
            save(folder, cluster + ".yaml", config(cluster, "a"));
            bus.awaitUntil(s -> topology(s) != null && topology(s).revision() == 1);

            signal(frozen, "STOP");
            // Both replicas see this change; only the one that leads once the lease has run out may publish it.
            save(folder, cluster + ".yaml", config(cluster, "b"));
            await().atMost(Duration.ofSeconds(20)).until(() -> standby.equals(holder()));
            bus.awaitUntil(s -> topology(s) != null && topology(s).revision() == 2);

            signal(frozen, "CONT");
            // Awake, it finds its lease gone and its transactional id taken: it stops, having published nothing.
            await().atMost(Duration.ofSeconds(30)).until(() -> !frozen.alive());
            List<String> expected = List.of("MAIN_CHANGED b (was a)", "MAIN_SET a", "PROFILE_ADDED a",
                    "PROFILE_ADDED b", "PROFILE_REMOVED b", "resync b");
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20))
                    .until(() -> events(bus.toEnd()).stream().sorted().toList().equals(expected));
            assertThat(bus.toEnd().stream().filter(r -> r.valid() && r.event().data()
                    instanceof io.stowage.events.data.TopologyApplied).count()).isEqualTo(2);
        }
    }

    static void signal(ServiceProcess p, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    static List<MemberDescription> restoreGroupMembers() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("stowage-config-service-restores"))
                    .all().get().get("stowage-config-service-restores");
            return List.copyOf(group.members());
        }
    }
}
