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
import java.util.HashMap;
import java.util.Map;

import static io.stowage.systemtests.StowageServices.BACKUP;
import static io.stowage.systemtests.StowageServices.CONFIG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Backup resource, end to end: Fabric8's mock API server in CRUD mode stands for the API server; config-service
 * (resources as a source, besides the folder that defines the cluster) asks for the backup, the packaged
 * backup-service takes it from a real PostgreSQL to a folder storage, and the resource's status ends Completed with
 * the backup's sizes and LSNs.
 */
class KubernetesBackupIT {
    static final ResourceDefinitionContext BACKUPS = new ResourceDefinitionContext.Builder()
            .withGroup("stowage.io").withVersion("v1alpha1").withKind("Backup").withPlural("backups")
            .withNamespaced(true).build();
    static final String NAMESPACE = "databases";

    static Path work;
    static KubernetesMockServer api;
    static KubernetesClient kube;
    static StowageServices services;
    static BusLog bus;
    static Site site;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("kubernetes-backup-it");
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        kube = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(api.url("/"))
                .withTrustCerts(true).withNamespace(NAMESPACE).build()).build();
        for (String crd : new String[] {"010-CustomResourceDefinition-BackupConfig.yaml",
                "011-CustomResourceDefinition-Backup.yaml"}) {
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
        services.start(CONFIG, BACKUP);
    }

    @AfterAll
    static void stop() throws Exception {
        if (services != null) {
            services.close();
        }
        if (site != null) {
            site.close();
        }
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
        site = new Site("k8s-backup", work, services.configFolder());
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

        await().atMost(Duration.ofMinutes(3)).until(() -> "Completed".equals(status().get("phase"))
                || "Failed".equals(status().get("phase")));
        Map<String, Object> status = status();
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

    @SuppressWarnings("unchecked")
    static Map<String, Object> status() {
        GenericKubernetesResource r = kube.genericKubernetesResources(BACKUPS).inNamespace(NAMESPACE)
                .withName("first").get();
        Object status = r == null ? null : r.getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
