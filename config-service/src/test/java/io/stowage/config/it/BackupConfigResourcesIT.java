package io.stowage.config.it;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.BackupStarted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.data.ConfigRejected;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.data.WalArchived;
import io.stowage.events.data.WalLag;
import io.stowage.localstack.ApiPermissions;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.stowage.config.it.ConfigServiceIT.line;
import static io.stowage.config.it.ConfigServiceIT.topology;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * config-service with BackupConfig resources as its config source: Fabric8's mock API server in CRUD mode stands for
 * the API server (it stores, lists, watches and patches, but runs no schema), the bus is a real Kafka broker, and the
 * service is its packaged self, run as a process.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupConfigResourcesIT {
    static final Path CRD = Path.of("../k8s/install/010-CustomResourceDefinition-BackupConfig.yaml");
    static final Path BACKUP_CRD = Path.of("../k8s/install/011-CustomResourceDefinition-Backup.yaml");
    static final ResourceDefinitionContext BACKUPS = new ResourceDefinitionContext.Builder()
            .withGroup("stowage.io").withVersion("v1alpha1").withKind("Backup").withPlural("backups")
            .withNamespaced(true).build();
    static final Path RESTORE_CRD = Path.of("../k8s/install/012-CustomResourceDefinition-Restore.yaml");
    static final ResourceDefinitionContext RESTORES = new ResourceDefinitionContext.Builder()
            .withGroup("stowage.io").withVersion("v1alpha1").withKind("Restore").withPlural("restores")
            .withNamespaced(true).build();
    static final ResourceDefinitionContext BACKUP_CONFIGS = new ResourceDefinitionContext.Builder()
            .withGroup("stowage.io").withVersion("v1alpha1").withKind("BackupConfig").withPlural("backupconfigs")
            .withNamespaced(true).build();
    static final String NAMESPACE = "databases";
    static final String TEST_CLIENT = "stowage-it";
    static final Path CONFIG_ROLE = Path.of("../k8s/install/021-ClusterRole-stowage-config.yaml");

    static KubernetesMockServer api;
    static KubernetesClient kube;
    static String bootstrap;
    static ServiceProcess service;

    @BeforeAll
    static void start() throws IOException {
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        // The test's own requests say who sent them, so the RBAC check below reads only the service's.
        kube = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(api.url("/"))
                .withTrustCerts(true).withNamespace(NAMESPACE).withUserAgent(TEST_CLIENT).build()).build();
        kube.apiextensions().v1().customResourceDefinitions().load(Files.newInputStream(CRD)).create();
        kube.apiextensions().v1().customResourceDefinitions().load(Files.newInputStream(BACKUP_CRD)).create();
        kube.apiextensions().v1().customResourceDefinitions().load(Files.newInputStream(RESTORE_CRD)).create();
        bootstrap = SharedKafka.bootstrapServers();
        Path dir = Files.createTempDirectory("config-resources-it");
        service = ConfigServiceProcess.start(bootstrap, dir.resolve("unused"), dir.resolve("config-service.log"),
                "it-" + UUID.randomUUID(), Map.of(
                        "stowage.config.sources", "kubernetes",
                        "stowage.config.rescan", "2s",
                        "quarkus.kubernetes-client.api-server-url", api.url("/"),
                        "quarkus.kubernetes-client.namespace", NAMESPACE,
                        "quarkus.kubernetes-client.trust-certs", "true"));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (kube != null) {
            kube.close();
        }
        if (api != null) {
            api.destroy();
        }
    }

    @Test
    void aBackupConfigAppliesAndMovingItsMainIsTheFourEventFanOutInOneTransaction() {
        String name = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        String cluster = NAMESPACE + "/" + name;
        try (BusWatch bus = new BusWatch(bootstrap, cluster)) {
            apply(name, config(name, "a"));
            bus.awaitUntil(s -> topology(s) != null);
            // The storage events are in the topology's transaction, but on another topic: read both to their end.
            List<BusReader.Read> seen = bus.toEnd();
            assertThat(events(seen)).containsExactlyInAnyOrder("MAIN_SET a", "PROFILE_ADDED b");
            assertThat(topology(seen).source()).isEqualTo("BackupConfig " + cluster);
            awaitStatus(name, s -> "a".equals(s.get("main")) && Long.valueOf(1).equals(number(s.get("observedGeneration"))));
            bus.forget();

            apply(name, config(name, "b"));
            seen = bus.awaitUntil(s -> topology(s) != null && topology(s).revision() == 2);
            seen = bus.toEnd();
            assertThat(events(seen)).containsExactlyInAnyOrder(
                    "MAIN_CHANGED b (was a)", "resync b", "PROFILE_REMOVED b", "PROFILE_ADDED a");
            List<Long> offsets = seen.stream().filter(r -> r.record().topic().equals(Topics.STORAGE))
                    .map(r -> r.record().offset()).toList();
            assertThat(offsets.get(2) - offsets.get(0)).as("one transaction").isEqualTo(2);
            Map<String, Object> status = awaitStatus(name, s -> "b".equals(s.get("main")));
            assertThat(status.get("profiles")).isEqualTo(List.of("a"));
            assertThat(number(status.get("observedGeneration"))).isEqualTo(2);
            assertThat(condition(status, "Applied")).containsEntry("status", "True");
            assertThat(condition(status, "Ready")).containsEntry("status", "True");
        }
    }

    @Test
    void anInvalidEditIsAppliedFalseWithItsFieldAndChangesNothing() {
        String name = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        String cluster = NAMESPACE + "/" + name;
        try (BusWatch bus = new BusWatch(bootstrap, cluster)) {
            apply(name, config(name, "a"));
            bus.awaitUntil(s -> topology(s) != null);
            bus.forget();

            apply(name, config(name, "a").replace("b: {main: false, type: filesystem, filesystem: {path: /srv/"
                    + name + "/b}}", "b: {main: false, type: s3, s3: {region: eu-west-1}}"));
            Map<String, Object> status = awaitStatus(name, s -> "False".equals(condition(s, "Applied").get("status")));
            assertThat(condition(status, "Applied").get("message")).isEqualTo(
                    "spec.storages.b.s3.bucket: type s3 requires s3.bucket");
            assertThat(number(status.get("observedGeneration"))).isEqualTo(2);
            assertThat(status.get("main")).isEqualTo("a");
            assertThat(condition(status, "Ready")).containsEntry("status", "True");
            assertThat(status.get("lastRejection")).asInstanceOf(
                    org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("field", "spec.storages.b.s3.bucket");
            List<BusReader.Read> seen = bus.awaitUntil(s -> s.stream().anyMatch(r -> r.valid()
                    && r.event().type() == EventType.CONFIG_REJECTED));
            seen = bus.toEnd();
            assertThat(seen).singleElement().satisfies(r -> assertThat(((ConfigRejected) r.event().data()).field())
                    .isEqualTo("spec.storages.b.s3.bucket"));
            assertThat(kube.v1().events().inNamespace(NAMESPACE).list().getItems())
                    .anySatisfy(e -> {
                        assertThat(e.getInvolvedObject().getName()).isEqualTo(name);
                        assertThat(e.getReason()).isEqualTo("Refused");
                        assertThat(e.getType()).isEqualTo("Warning");
                    });
        }
    }

    @Test
    void aMissingSecretIsAConditionNamingItAndOnceCreatedTheConfigApplies() {
        String name = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        String cluster = NAMESPACE + "/" + name;
        String secret = name + "-password";
        try (BusWatch bus = new BusWatch(bootstrap, cluster)) {
            apply(name, config(name, "a").replace("user: postgres}", "user: postgres, passwordSecret: " + secret + "}"));
            Map<String, Object> status = awaitStatus(name, s -> "False".equals(condition(s, "Applied").get("status")));
            assertThat((String) condition(status, "Applied").get("message"))
                    .startsWith("spec.postgres.passwordSecret: Secret " + NAMESPACE + "/" + secret + " not found")
                    .contains("PASSWORD");
            assertThat(condition(status, "Ready")).containsEntry("status", "False");
            assertThat(topology(bus.toEnd())).isNull();

            kube.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName(secret)
                    .endMetadata().addToStringData("WRONG", "x").build()).create();
            status = awaitStatus(name, s -> String.valueOf(condition(s, "Applied").get("message")).contains("has no key"));
            assertThat(condition(status, "Applied").get("message")).isEqualTo("spec.postgres.passwordSecret: Secret "
                    + NAMESPACE + "/" + secret + " has no key PASSWORD; the config is applied once it is there");

            kube.secrets().inNamespace(NAMESPACE).withName(secret).edit(s -> new SecretBuilder(s)
                    .addToStringData("PASSWORD", "not-on-the-bus").build());
            bus.awaitUntil(s -> topology(s) != null);
            List<BusReader.Read> seen = bus.toEnd();
            assertThat(topology(seen).spec().postgres().passwordSecret()).isEqualTo(secret);
            assertThat(awaitStatus(name, s -> "True".equals(condition(s, "Applied").get("status")))).containsEntry("main", "a");
            assertThat(seen).noneSatisfy(r -> assertThat(new String(r.record().value())).contains("not-on-the-bus"));
        }
    }

    @Test
    void theResyncAnnotationYieldsOneResyncAndIsRemoved() {
        String name = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        String cluster = NAMESPACE + "/" + name;
        try (BusWatch bus = new BusWatch(bootstrap, cluster)) {
            apply(name, config(name, "a"));
            bus.awaitUntil(s -> topology(s) != null);
            awaitStatus(name, s -> "a".equals(s.get("main")));
            bus.forget();

            resources().inNamespace(NAMESPACE).withName(name).edit(r -> {
                r.getMetadata().setAnnotations(Map.of("stowage.io/resync", "true"));
                return r;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Map<String, String> annotations = resources().inNamespace(NAMESPACE).withName(name).get()
                        .getMetadata().getAnnotations();
                return annotations == null || !annotations.containsKey("stowage.io/resync");
            });
            bus.awaitUntil(s -> topology(s) != null && !topology(s).resyncAnnotation());
            // Through two rescans (every 2 s), the one resync stays the only one.
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(15))
                    .until(() -> events(bus.toEnd()).equals(List.of("resync ALL")));
        }
    }

    @Test
    void aCompletedBackupIsTheLastBackupInStatusAndAnEventAndAFailedOneAWarning() throws Exception {
        String name = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        String cluster = NAMESPACE + "/" + name;
        try (BusWatch bus = new BusWatch(bootstrap, cluster);
             KafkaEventPublisher publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "it-backups")) {
            apply(name, config(name, "a"));
            bus.awaitUntil(s -> topology(s) != null);
            awaitStatus(name, s -> "a".equals(s.get("main")));

            OffsetDateTime stop = OffsetDateTime.parse("2026-12-03T02:00:09Z");
            publisher.publishAndWait(Envelope.root("/it", new BackupCompleted(cluster, "nightly-20261203T0200Z",
                    List.of("a", "b"), "0/2000028", "0/2000100", "00000001", stop.minusSeconds(9), stop, 4096, 1024)));
            publisher.publishAndWait(Envelope.root("/it", new BackupFailed(cluster, "manual-1", List.of("b"),
                    "storage 'b': disk full")));

            Map<String, Object> status = awaitStatus(name, s -> s.get("lastBackup") != null);
            assertThat(status.get("lastBackup")).isEqualTo(Map.of("id", "nightly-20261203T0200Z",
                    "time", "2026-12-03T02:00:09Z", "storages", List.of("a", "b")));
            assertThat(CrdStatusSchema.of(CRD).undeclared(status)).as("fields a real API server would prune")
                    .isEmpty();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(kube.v1().events().inNamespace(NAMESPACE).list().getItems())
                            .filteredOn(e -> e.getInvolvedObject().getName().equals(name))
                            .extracting(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage())
                            .contains("Normal BackupCompleted: backup nightly-20261203T0200Z completed on a, b",
                                    "Warning BackupFailed: backup manual-1 failed: storage 'b': disk full"));
        }
    }

    @Test
    void aBackupResourceAsksForOneBackupAndItsStatusFollowsItToCompleted() throws Exception {
        String name = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        String cluster = NAMESPACE + "/" + name;
        try (BusWatch bus = new BusWatch(bootstrap, cluster);
             BusReader backups = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false);
             KafkaEventPublisher publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "it-backup")) {
            apply(name, config(name, "a"));
            bus.awaitUntil(s -> topology(s) != null);

            GenericKubernetesResource created = kube.genericKubernetesResources(BACKUPS).inNamespace(NAMESPACE)
                    .resource(Serialization.unmarshal("""
                            apiVersion: stowage.io/v1alpha1
                            kind: Backup
                            metadata: {name: before-upgrade, namespace: %s}
                            spec: {cluster: %s, storages: [a, b]}
                            """.formatted(NAMESPACE, cluster), GenericKubernetesResource.class)).create();
            String backupId = "before-upgrade-" + created.getMetadata().getUid().replace("-", "").substring(0, 8);

            List<BackupRequested> asked = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                backups.poll(Duration.ofMillis(200)).stream().filter(r -> r.valid()
                        && r.event().data() instanceof BackupRequested q && q.cluster().equals(cluster))
                        .forEach(r -> asked.add((BackupRequested) r.event().data()));
                return !asked.isEmpty();
            });
            assertThat(asked).singleElement().satisfies(q -> {
                assertThat(q.backupId()).isEqualTo(backupId);
                assertThat(q.storages()).containsExactly("a", "b");
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> "Pending".equals(backupStatus().get("phase")));

            OffsetDateTime stop = OffsetDateTime.parse("2026-12-03T10:40:07Z");
            publisher.publishAndWait(Envelope.root("/it", new BackupStarted(cluster, backupId, List.of("a", "b"))));
            publisher.publishAndWait(Envelope.root("/it", new BackupCompleted(cluster, backupId, List.of("a", "b"),
                    "0/5000028", "0/5000138", "00000001", stop.minusSeconds(7), stop, 33_554_432, 4_194_304)));
            await().atMost(Duration.ofSeconds(30)).until(() -> "Completed".equals(backupStatus().get("phase")));
            Map<String, Object> status = backupStatus();
            assertThat(status).containsEntry("backupId", backupId).containsEntry("stopLsn", "0/5000138")
                    .containsEntry("stopTime", "2026-12-03T10:40:07Z").containsEntry("storages", List.of("a", "b"));
            assertThat(number(status.get("sizeBytes"))).isEqualTo(33_554_432L);
            assertThat(number(status.get("storedBytes"))).isEqualTo(4_194_304L);
            assertThat(CrdStatusSchema.of(BACKUP_CRD).undeclared(status)).as("fields a real API server would prune")
                    .isEmpty();
            // Asked once, however many times the resource changed since.
            assertThat(backups.readToEnd(Duration.ofSeconds(10)).stream().filter(r -> r.valid()
                    && r.event().data() instanceof BackupRequested q && q.cluster().equals(cluster))).isEmpty();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> backupStatus() {
        GenericKubernetesResource r = kube.genericKubernetesResources(BACKUPS).inNamespace(NAMESPACE)
                .withName("before-upgrade").get();
        Object status = r == null ? null : r.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @Test
    void eachStoragesRecoverabilityWindowFromTheCatalogAndWalArchivingAreInStatus() throws Exception {
        String name = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        String cluster = NAMESPACE + "/" + name;
        try (BusWatch bus = new BusWatch(bootstrap, cluster);
             KafkaEventPublisher publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "it-catalog")) {
            apply(name, config(name, "a"));
            bus.awaitUntil(s -> topology(s) != null);
            awaitStatus(name, s -> "a".equals(s.get("main")));

            // The catalog as resync-service writes it: two complete backups and an incomplete one on the main, the
            // newer one on the profile too, and WAL segments 3 to 6 on the main.
            OffsetDateTime t1 = OffsetDateTime.parse("2026-12-02T01:00:00Z");
            OffsetDateTime t2 = OffsetDateTime.parse("2026-12-03T01:00:00Z");
            for (CatalogBackup b : List.of(
                    catalogBackup(cluster, "a", "n1", CatalogBackup.COMPLETE, "0/2000028", "0/2000100", t1),
                    catalogBackup(cluster, "a", "n2", CatalogBackup.COMPLETE, "0/3000028", "0/3000100", t2),
                    catalogBackup(cluster, "a", "broken", CatalogBackup.INCOMPLETE, null, null, null),
                    catalogBackup(cluster, "b", "n2", CatalogBackup.COMPLETE, "0/3000028", "0/3000100", t2))) {
                publisher.publishAndWait(Envelope.root("/it", b));
            }
            publisher.publishAndWait(Envelope.root("/it", new CatalogWal(cluster, "a", "00000001",
                    List.of(new CatalogWal.SegmentRange("000000010000000000000003", "000000010000000000000006")), 4,
                    false)));
            OffsetDateTime received = OffsetDateTime.parse("2026-12-03T11:59:58Z");
            publisher.publishAndWait(Envelope.root("/it", new WalArchived(cluster, "a", "00000001",
                    "000000010000000000000006", 16 << 20, "ab".repeat(32), 2L << 20, received)));

            Map<String, Object> status = awaitStatus(name, s -> s.get("recoverability") instanceof List<?> l
                    && l.size() == 2 && s.get("walArchiving") != null
                    && ((List<?>) s.get("recoverability")).stream().allMatch(w -> ((Map<?, ?>) w).get("latestLsn") != null
                    && "0/7000000".equals(((Map<?, ?>) w).get("latestLsn"))));
            Map<String, Object> a = window(status, "a");
            assertThat(number(a.get("backups"))).isEqualTo(2);
            assertThat(number(a.get("incompleteBackups"))).isEqualTo(1);
            assertThat(a).containsEntry("earliestLsn", "0/2000100").containsEntry("earliestTime", "2026-12-02T01:00:00Z")
                    .containsEntry("walThrough", "000000010000000000000006").doesNotContainKey("latestTime");
            // The profile's newest backup reaches as far: WAL archived to the main counts for a backup anywhere.
            Map<String, Object> b = window(status, "b");
            assertThat(number(b.get("backups"))).isEqualTo(1);
            assertThat(b).containsEntry("earliestLsn", "0/3000100").containsEntry("latestLsn", "0/7000000");
            assertThat((Map<String, Object>) status.get("walArchiving")).containsEntry("state", "Archiving")
                    .containsEntry("storage", "a").containsEntry("lastSegment", "000000010000000000000006")
                    .containsEntry("lastArchivedTime", "2026-12-03T11:59:58Z");

            publisher.publishAndWait(Envelope.root("/it", new WalLag(cluster, "a", WalLag.LAGGING, 12, 201_326_592L,
                    201_326_592L, "000000010000000000000007", 95, true, "storage 'a': connection refused")));
            status = awaitStatus(name, s -> s.get("walArchiving") instanceof Map<?, ?> w
                    && "Lagging".equals(w.get("state")));
            assertThat((Map<String, Object>) status.get("walArchiving")).containsEntry("queueFull", true)
                    .containsEntry("lastError", "storage 'a': connection refused")
                    .containsEntry("lastSegment", "000000010000000000000006");
            assertThat(number(((Map<?, ?>) status.get("walArchiving")).get("queuedSegments"))).isEqualTo(12);

            publisher.publishAndWait(Envelope.root("/it", new WalLag(cluster, "a", WalLag.CAUGHT_UP, 0, 0,
                    201_326_592L, null, 0, false, null)));
            status = awaitStatus(name, s -> s.get("walArchiving") instanceof Map<?, ?> w
                    && "Archiving".equals(w.get("state")));
            assertThat((Map<String, Object>) status.get("walArchiving")).doesNotContainKeys("lastError", "queueFull");
            assertThat(CrdStatusSchema.of(CRD).undeclared(status)).as("fields a real API server would prune")
                    .isEmpty();
        }
    }

    static CatalogBackup catalogBackup(String cluster, String storage, String id, String state, String start,
                                       String stop, OffsetDateTime stopTime) {
        return new CatalogBackup(cluster, storage, id, state, state.equals(CatalogBackup.COMPLETE) ? null
                : "its manifest is missing", start, stop, start == null ? null : "00000001",
                stopTime == null ? null : stopTime.minusMinutes(5), stopTime, 4096L, 1024L, null);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> window(Map<String, Object> status, String storage) {
        return ((List<Map<String, Object>>) status.get("recoverability")).stream()
                .filter(w -> storage.equals(w.get("storage"))).findFirst().orElseThrow();
    }

    @Test
    void aRestoreResourceAsksForOneRestoreAndItsStatusFollowsItsSteps() throws Exception {
        String name = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        String cluster = NAMESPACE + "/" + name;
        try (BusWatch bus = new BusWatch(bootstrap, cluster);
             BusReader restores = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.RESTORE), false);
             KafkaEventPublisher publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "it-restore")) {
            apply(name, config(name, "a"));
            bus.awaitUntil(s -> topology(s) != null);

            GenericKubernetesResource created = kube.genericKubernetesResources(RESTORES).inNamespace(NAMESPACE)
                    .resource(Serialization.unmarshal("""
                            apiVersion: stowage.io/v1alpha1
                            kind: Restore
                            metadata: {name: before-the-drop, namespace: %s}
                            spec:
                              cluster: %s
                              storage: b
                              target: {time: '2026-12-03T09:15:00Z'}
                            """.formatted(NAMESPACE, cluster), GenericKubernetesResource.class)).create();
            String restoreId = "before-the-drop-" + created.getMetadata().getUid().replace("-", "").substring(0, 8);

            List<RestoreRequested> asked = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                restores.poll(Duration.ofMillis(200)).stream().filter(r -> r.valid()
                        && r.event().data() instanceof RestoreRequested q && q.cluster().equals(cluster))
                        .forEach(r -> asked.add((RestoreRequested) r.event().data()));
                return !asked.isEmpty();
            });
            assertThat(asked).singleElement().satisfies(q -> {
                assertThat(q.restoreId()).isEqualTo(restoreId);
                assertThat(q.storage()).isEqualTo("b");
                assertThat(q.backupId()).isEqualTo("latest");
                assertThat(q.pitr().time()).isEqualTo(OffsetDateTime.parse("2026-12-03T09:15:00Z"));
                assertThat(q.inPlace()).isTrue();
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> "Pending".equals(restoreStatus().get("phase")));

            // restore-service's events, as it would publish them.
            publisher.publishAndWait(Envelope.root("/it", new RestoreStarted(cluster, restoreId, "b-20261203", "b")));
            publisher.publishAndWait(Envelope.root("/it", new RestoreStep(cluster, restoreId,
                    RestoreStepName.FETCH_BASE_BACKUP, RestoreStepStatus.STARTED, null)));
            await().atMost(Duration.ofSeconds(30)).until(() -> "fetch-base-backup".equals(
                    restoreStatus().get("currentStep")));
            assertThat(restoreStatus()).containsEntry("phase", "Running").containsEntry("backupId", "b-20261203");
            publisher.publishAndWait(Envelope.root("/it", new RestoreStep(cluster, restoreId,
                    RestoreStepName.FETCH_BASE_BACKUP, RestoreStepStatus.COMPLETED, "412 MB")));
            publisher.publishAndWait(Envelope.root("/it", new RestoreStep(cluster, restoreId,
                    RestoreStepName.PAUSE_ARCHIVING, RestoreStepStatus.SKIPPED, "paused by an earlier run")));
            publisher.publishAndWait(Envelope.root("/it", new RestoreCompleted(cluster, restoreId, "b-20261203", "b",
                    "/var/lib/postgresql/data", "/var/lib/postgresql/data.before-" + restoreId)));
            await().atMost(Duration.ofSeconds(30)).until(() -> "Completed".equals(restoreStatus().get("phase")));

            Map<String, Object> status = restoreStatus();
            assertThat(status).containsEntry("restoreId", restoreId).containsEntry("storage", "b")
                    .containsEntry("oldDataDirectory", "/var/lib/postgresql/data.before-" + restoreId)
                    .doesNotContainKey("currentStep").containsKey("completionTime");
            assertThat((List<?>) status.get("steps")).hasSize(2);
            assertThat(step(status, "fetch-base-backup")).containsEntry("state", "Completed")
                    .containsEntry("detail", "412 MB").containsKeys("startTime", "endTime");
            assertThat(step(status, "pause-archiving")).containsEntry("state", "Skipped");
            assertThat(CrdStatusSchema.of(RESTORE_CRD).undeclared(status)).as("fields a real API server would prune")
                    .isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> kube.v1().events().inNamespace(NAMESPACE).list()
                    .getItems().stream().anyMatch(e -> "before-the-drop".equals(e.getInvolvedObject().getName())
                            && "Completed".equals(e.getReason())));
            // And on the cluster's BackupConfig, as for a restore asked for from outside Kubernetes.
            await().atMost(Duration.ofSeconds(10)).until(() -> kube.v1().events().inNamespace(NAMESPACE).list()
                    .getItems().stream().anyMatch(e -> name.equals(e.getInvolvedObject().getName())
                            && "RestoreCompleted".equals(e.getReason()) && e.getMessage().contains(
                            "kept at /var/lib/postgresql/data.before-" + restoreId)));
            // Asked once, however many times the resource changed since.
            assertThat(restores.readToEnd(Duration.ofSeconds(10)).stream().filter(r -> r.valid()
                    && r.event().data() instanceof RestoreRequested q && q.cluster().equals(cluster))).isEmpty();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> restoreStatus() {
        GenericKubernetesResource r = kube.genericKubernetesResources(RESTORES).inNamespace(NAMESPACE)
                .withName("before-the-drop").get();
        Object status = r == null ? null : r.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> step(Map<String, Object> status, String name) {
        return ((List<Map<String, Object>>) status.get("steps")).stream().filter(s -> name.equals(s.get("name")))
                .findFirst().orElseThrow();
    }

    /** Last, once the other tests have made the service use every permission it has. */
    @Test
    @Order(Integer.MAX_VALUE)
    void theShippedRoleGrantsEveryRequestTheServiceMadeAndNothingItDidNotUse() throws Exception {
        Set<String> used = new TreeSet<>();
        for (RecordedRequest r = api.takeRequest(1, TimeUnit.SECONDS); r != null;
             r = api.takeRequest(100, TimeUnit.MILLISECONDS)) {
            if (!TEST_CLIENT.equals(r.getHeader("User-Agent"))) {
                ApiPermissions.of(r.getMethod(), r.getPath()).ifPresent(used::add);
            }
        }
        ClusterRole role = Serialization.unmarshal(Files.readString(CONFIG_ROLE), ClusterRole.class);
        Set<String> granted = new TreeSet<>();
        for (PolicyRule rule : role.getRules()) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    rule.getVerbs().forEach(verb -> granted.add(group + " " + resource + " " + verb));
                }
            }
        }

        assertThat(granted).as("granted by " + CONFIG_ROLE.getFileName()).containsAll(used);
        assertThat(used).as("used by config-service").containsAll(granted);
    }

    static List<String> events(List<BusReader.Read> seen) {
        return seen.stream().filter(BusReader.Read::valid).<Envelope<?>>map(BusReader.Read::event)
                .filter(e -> e.type() != EventType.TOPOLOGY_APPLIED).map(ConfigServiceIT::line).toList();
    }

    static io.fabric8.kubernetes.client.dsl.MixedOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> resources() {
        return kube.genericKubernetesResources(BACKUP_CONFIGS);
    }

    /** Creates or replaces the spec, as {@code kubectl apply} would. */
    static void apply(String name, String yaml) {
        GenericKubernetesResource desired = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
        GenericKubernetesResource current = resources().inNamespace(NAMESPACE).withName(name).get();
        if (current == null) {
            resources().inNamespace(NAMESPACE).resource(desired).create();
        } else {
            resources().inNamespace(NAMESPACE).withName(name).edit(r -> {
                r.getAdditionalProperties().put("spec", desired.getAdditionalProperties().get("spec"));
                return r;
            });
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> awaitStatus(String name, java.util.function.Predicate<Map<String, Object>> condition) {
        Map<String, Object>[] last = new Map[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            GenericKubernetesResource r = resources().inNamespace(NAMESPACE).withName(name).get();
            Object status = r == null ? null : r.getAdditionalProperties().get("status");
            last[0] = status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            return condition.test(last[0]);
        });
        return last[0];
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> condition(Map<String, Object> status, String type) {
        if (status.get("conditions") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && type.equals(m.get("type"))) {
                    return (Map<String, Object>) m;
                }
            }
        }
        return Map.of();
    }

    static Long number(Object o) {
        return o instanceof Number n ? n.longValue() : null;
    }

    /** Two filesystem storages a and b, {@code main} marking one. */
    static String config(String name, String main) {
        return """
                apiVersion: stowage.io/v1alpha1
                kind: BackupConfig
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  postgres: {host: 127.0.0.1, port: 5432, user: postgres}
                  pitr: {enabled: true}
                  storages:
                    a: {main: %s, type: filesystem, filesystem: {path: /srv/%s/a}}
                    b: {main: %s, type: filesystem, filesystem: {path: /srv/%s/b}}
                """.formatted(name, NAMESPACE, main.equals("a"), name, main.equals("b"), name);
    }
}
