package io.stowage.systemtests;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
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
import io.stowage.bus.KafkaConnection;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.TopologyApplied;
import io.stowage.localstack.SharedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.stowage.systemtests.StowageServices.BACKUP;
import static io.stowage.systemtests.StowageServices.CONFIG;
import static io.stowage.systemtests.StowageServices.RESTORE;
import static io.stowage.systemtests.StowageServices.RESYNC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Backup and Restore resources, end to end: Fabric8's mock API server in CRUD mode stands for the API server;
 * config-service (resources as a source, besides the folder that defines the clusters) asks for the backup or the
 * restore, the packaged services run it against a real PostgreSQL and folder storages, and the resource's status
 * follows it to Completed.
 */
class KubernetesOperationsIT {
    static final ResourceDefinitionContext BACKUPS = new ResourceDefinitionContext.Builder()
            .withGroup("stowage.io").withVersion("v1alpha1").withKind("Backup").withPlural("backups")
            .withNamespaced(true).build();
    static final ResourceDefinitionContext RESTORES = new ResourceDefinitionContext.Builder()
            .withGroup("stowage.io").withVersion("v1alpha1").withKind("Restore").withPlural("restores")
            .withNamespaced(true).build();
    static final String NAMESPACE = "databases";

    static Path work;
    static KubernetesMockServer api;
    static KubernetesClient kube;
    static StowageServices services;
    static BusLog bus;
    static final List<Site> sites = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("kubernetes-operations-it");
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        kube = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(api.url("/"))
                .withTrustCerts(true).withNamespace(NAMESPACE).build()).build();
        for (String crd : new String[] {"010-CustomResourceDefinition-BackupConfig.yaml",
                "011-CustomResourceDefinition-Backup.yaml", "012-CustomResourceDefinition-Restore.yaml"}) {
            kube.apiextensions().v1().customResourceDefinitions()
                    .load(Files.newInputStream(Path.of("..", "k8s", "install", crd))).create();
        }
        String bootstrap = SharedKafka.bootstrapServers();
        services = new StowageServices(work.resolve("stack"), Map.of("bootstrap.servers", bootstrap));
        services.with(CONFIG, Map.of("stowage.config.sources", "folder,kubernetes",
                "quarkus.kubernetes-client.api-server-url", api.url("/"),
                "quarkus.kubernetes-client.namespace", NAMESPACE,
                "quarkus.kubernetes-client.trust-certs", "true"));
        bus = new BusLog(KafkaConnection.to(bootstrap));
        services.start(CONFIG, BACKUP, RESYNC, RESTORE);
    }

    @AfterAll
    static void stop() throws Exception {
        if (services != null) {
            services.close();
        }
        sites.forEach(Site::close);
        if (bus != null) {
            bus.close();
        }
        if (kube != null) {
            kube.close();
        }
        if (api != null) {
            api.destroy();
        }
        WorkDir.removeBulk(work);
    }

    @Test
    void aBackupResourceEndsCompletedWithItsSizes() throws Exception {
        Site site = site("k8s-backup");
        Path local = site.storage("local");
        site.configure(false, Site.filesystem("local", true, local));
        bus.await(TopologyApplied.class, t -> t.cluster().equals(site.cluster), Duration.ofSeconds(60));
        site.commit(1, "before the backup");

        kube.genericKubernetesResources(BACKUPS).inNamespace(NAMESPACE).resource(Serialization.unmarshal("""
                apiVersion: stowage.io/v1alpha1
                kind: Backup
                metadata: {name: first, namespace: %s}
                spec: {cluster: %s}
                """.formatted(NAMESPACE, site.cluster), GenericKubernetesResource.class)).create();

        Map<String, Object> status = awaitEnd(BACKUPS, "first");
        assertThat(status).containsEntry("phase", "Completed");
        String backupId = (String) status.get("backupId");
        BackupCompleted completed = bus.await(BackupCompleted.class, b -> b.backupId().equals(backupId),
                Duration.ofSeconds(10));
        assertThat(((Number) status.get("sizeBytes")).longValue()).isEqualTo(completed.sizeBytes()).isPositive();
        assertThat(((Number) status.get("storedBytes")).longValue()).isEqualTo(completed.storedBytes()).isPositive();
        assertThat(status).containsEntry("stopLsn", completed.stopLsn()).containsEntry("storages",
                java.util.List.of("local"));
        assertThat(local.resolve("stowage").resolve(site.cluster).resolve("backups").resolve(backupId)
                .resolve("stowage.json")).exists();
    }

    @Test
    void aRestoreResourceWithABackupSourceOnAClusterWithNoStorageEndsCompleted_withItsStepsAndTheRevert()
            throws Exception {
        Site site = site("k8s-dr");
        Path primarySite = site.storage("primary-site");
        site.configure(true, Site.filesystem("primary-site", true, primarySite));
        site.awaitArchiving();
        site.commit(1, "T1");
        create("""
                apiVersion: stowage.io/v1alpha1
                kind: Backup
                metadata: {name: dr-base, namespace: %s}
                spec: {cluster: %s}
                """.formatted(NAMESPACE, site.cluster), BACKUPS);
        Map<String, Object> backup = awaitEnd(BACKUPS, "dr-base");
        assertThat(backup).containsEntry("phase", "Completed");
        site.commit(2, "T2");
        // The disaster-recovery site's own configuration names no storage: only the restore brings one.
        site.configure(true, "");
        bus.await(TopologyApplied.class, t -> t.cluster().equals(site.cluster) && t.main() == null,
                Duration.ofSeconds(60));

        create("""
                apiVersion: stowage.io/v1alpha1
                kind: Restore
                metadata: {name: from-primary-site, namespace: %s}
                spec:
                  cluster: %s
                  storage: primary-copy
                  backupSource:
                    type: filesystem
                    filesystem: {path: '%s'}
                """.formatted(NAMESPACE, site.cluster, primarySite), RESTORES);

        Map<String, Object> status = awaitEnd(RESTORES, "from-primary-site");
        assertThat(status).as(String.valueOf(status)).containsEntry("phase", "Completed")
                .containsEntry("backupId", backup.get("backupId")).containsEntry("storage", "primary-copy")
                .doesNotContainKey("currentStep");
        assertThat(site.rows()).as("the rows of the backup").isEqualTo("T1");
        assertThat(steps(status)).as("every step ended")
                .allSatisfy(s -> assertThat(s.get("state")).isIn("Completed", "Skipped"))
                .extracting(s -> s.get("name"))
                .contains("fetch-base-backup", "stop-primary", "start-restored", "switch-data-directory");
        String oldData = (String) status.get("oldDataDirectory");
        assertThat(oldData).as("where the old data is kept").isNotBlank();
        assertThat(Path.of(oldData).resolve("PG_VERSION")).as("the old data kept").exists();
        @SuppressWarnings("unchecked")
        Map<String, Object> source = (Map<String, Object>) status.get("backupSource");
        assertThat(source).as(String.valueOf(source)).containsEntry("placement", "TemporaryMain")
                .containsEntry("storage", "primary-copy").containsEntry("reverted", true);
        assertThat(kube.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(e -> "from-primary-site".equals(e.getInvolvedObject().getName())).map(e -> e.getReason()))
                .contains("Requested", "Started", "Completed");
    }

    @Test
    void theProbesOfTheShippedDeploymentsAnswerOnTheRunningServices() throws Exception {
        for (String service : List.of(CONFIG, BACKUP, RESYNC, RESTORE)) {
            io.fabric8.kubernetes.api.model.apps.Deployment deployment = kube.load(Files.newInputStream(
                    Path.of("..", "k8s", "base", service + ".yaml"))).items().stream()
                    .filter(io.fabric8.kubernetes.api.model.apps.Deployment.class::isInstance)
                    .map(io.fabric8.kubernetes.api.model.apps.Deployment.class::cast).findFirst().orElseThrow();
            var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            for (var probe : List.of(container.getStartupProbe(), container.getLivenessProbe(),
                    container.getReadinessProbe())) {
                var answer = services.get(service).fetch(probe.getHttpGet().getPath());
                assertThat(answer.statusCode()).as(service + " " + probe.getHttpGet().getPath() + ": " + answer.body())
                        .isEqualTo(200);
            }
        }
    }

    Site site(String purpose) throws Exception {
        Site site = new Site(purpose, work, services.configFolder());
        sites.add(site);
        return site;
    }

    static void create(String yaml, ResourceDefinitionContext kind) {
        kube.genericKubernetesResources(kind).inNamespace(NAMESPACE)
                .resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class)).create();
    }

    /** Waits until the resource's phase is Completed or Failed, and returns its status. */
    static Map<String, Object> awaitEnd(ResourceDefinitionContext kind, String name) {
        await().atMost(Duration.ofMinutes(3)).until(() -> Set.of("Completed", "Failed")
                .contains(String.valueOf(status(kind, name).get("phase"))));
        return status(kind, name);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> steps(Map<String, Object> status) {
        return (List<Map<String, Object>>) status.getOrDefault("steps", List.of());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> status(ResourceDefinitionContext kind, String name) {
        GenericKubernetesResource r = kube.genericKubernetesResources(kind).inNamespace(NAMESPACE)
                .withName(name).get();
        Object status = r == null ? null : r.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
