package io.stowage.config.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.stowage.bus.EventPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreProgress;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreTarget;
import io.stowage.events.data.VolumeTarget;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Restore controller against Fabric8's mock API server (CRUD), with the bus recorded. */
class RestoreResourcesTest {
    static final String NAMESPACE = "databases";

    KubernetesMockServer api;
    KubernetesClient kube;
    final List<Envelope<?>> published = new CopyOnWriteArrayList<>();
    final EventPublisher bus = new EventPublisher() {
        @Override
        public CompletionStage<Void> publish(Envelope<?> event) {
            published.add(event);
            return CompletableFuture.completedFuture(null);
        }
    };
    RestoreResources restores;

    @BeforeEach
    void start() throws Exception {
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        kube = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(api.url("/"))
                .withTrustCerts(true).withNamespace(NAMESPACE).build()).build();
        kube.apiextensions().v1().customResourceDefinitions().load(Files.newInputStream(
                Path.of("..", "k8s", "install", "012-CustomResourceDefinition-Restore.yaml"))).create();
        restores = new RestoreResources(kube, List.of(), bus, new ResourceEvents(kube), "/test");
    }

    @AfterEach
    void stop() {
        restores.close();
        kube.close();
        api.destroy();
    }

    GenericKubernetesResource create(String name, String spec) {
        return kube.genericKubernetesResources(RestoreResources.RESTORE).inNamespace(NAMESPACE)
                .resource(Serialization.unmarshal("""
                        apiVersion: stowage.io/v1alpha1
                        kind: Restore
                        metadata: {name: %s, namespace: %s}
                        spec: %s
                        """.formatted(name, NAMESPACE, spec), GenericKubernetesResource.class)).create();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> status(String name) {
        Object status = kube.genericKubernetesResources(RestoreResources.RESTORE).inNamespace(NAMESPACE)
                .withName(name).get().getAdditionalProperties().get("status");
        return status instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    static <T extends io.stowage.events.data.StowageEvent> Envelope<T> event(T data) {
        return Envelope.root("/restore-service", data);
    }

    @Test
    void anOutcomeThatQueuedBeforeTheStartFindsItsResource_theStartWaitsForTheList() {
        GenericKubernetesResource r = create("drill", "{cluster: databases/pg1, storage: a}");
        String id = RestoreResources.restoreId(r);

        restores.start();
        // What a new leader's restore channel hands over at once: the end of a restore asked for by its predecessor.
        restores.follow(event(new RestoreCompleted("databases/pg1", id, "b1", "a", "/data", "/data.before")), null);

        assertThat(status("drill")).containsEntry("phase", "Completed").containsEntry("oldDataDirectory",
                "/data.before");
    }

    @Test
    void aFailedRestoreMarksItsStepFailed_andALateHeartbeatDoesNotMoveItBack() {
        restores.start();
        GenericKubernetesResource r = create("in-place", "{cluster: databases/pg1, storage: a, backup: latest}");
        String id = RestoreResources.restoreId(r);
        await().atMost(Duration.ofSeconds(10)).until(() -> "Pending".equals(status("in-place").get("phase")));
        assertThat(published).singleElement().satisfies(e -> assertThat(((RestoreRequested) e.data()).restoreId())
                .isEqualTo(id));

        restores.follow(event(new RestoreStarted("databases/pg1", id, "b1", "a")), null);
        restores.follow(event(new RestoreStep("databases/pg1", id, RestoreStepName.FETCH_BASE_BACKUP,
                RestoreStepStatus.STARTED, null)), null);
        restores.follow(event(new RestoreFailed("databases/pg1", id, "fetch-base-backup",
                "storage 'a': base.tar.zst is 4096 bytes, its manifest says 8192")), null);
        restores.follow(event(new RestoreProgress("databases/pg1", id, "fetch-base-backup", "50%")), null);

        Map<String, Object> status = status("in-place");
        assertThat(status).containsEntry("phase", "Failed").containsEntry("failedStep", "fetch-base-backup")
                .doesNotContainKey("currentStep");
        assertThat((String) status.get("reason")).contains("its manifest says 8192");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) status.get("steps");
        assertThat(steps).singleElement().satisfies(s -> assertThat(s).containsEntry("state", "Failed")
                .containsKeys("startTime", "endTime"));
    }

    @Test
    void aRestoreIntoANewVolumeAsksForItsClaim_andItsStatusNamesWhereTheDataIs() {
        restores.start();
        GenericKubernetesResource r = create("to-volume", "{cluster: databases/pg1, storage: a, "
                + "newVolume: {claimName: pg1-restored, storageClassName: fast-ssd, size: 50Gi}}");
        String id = RestoreResources.restoreId(r);
        await().atMost(Duration.ofSeconds(10)).until(() -> "Pending".equals(status("to-volume").get("phase")));
        assertThat(published).singleElement().satisfies(e -> assertThat(((RestoreRequested) e.data()).target())
                .isEqualTo(RestoreTarget.volume(new VolumeTarget("pg1-restored", "fast-ssd", "50Gi"))));

        restores.follow(event(new RestoreStep("databases/pg1", id, RestoreStepName.FETCH_WAL,
                RestoreStepStatus.STARTED, null)), null);
        restores.follow(event(new RestoreProgress("databases/pg1", id, "starting", "running for 10 s")), null);
        assertThat(status("to-volume")).as("the Job's step, not the heartbeat's").containsEntry("currentStep",
                "fetch-wal");

        restores.follow(event(new RestoreCompleted("databases/pg1", id, "b1", "a", "pvc:databases/pg1-restored/pgdata",
                null)), null);

        assertThat(status("to-volume")).containsEntry("phase", "Completed")
                .containsEntry("dataDirectory", "pvc:databases/pg1-restored/pgdata").doesNotContainKey("oldDataDirectory");
    }

    @Test
    void aRestoreOfAClusterOfAnotherNamespaceEndsFailed_andNothingIsPublished() {
        restores.start();
        create("elsewhere", "{cluster: payments/pg7, storage: a}");

        await().atMost(Duration.ofSeconds(10)).until(() -> "Failed".equals(status("elsewhere").get("phase")));
        assertThat((String) status("elsewhere").get("reason")).contains("clusters of its own namespace (databases)");
        assertThat(published).isEmpty();
    }

    @Test
    void aSpecTheContractRefusesEndsFailedWithTheReason_andNothingIsPublished() {
        restores.start();
        create("bad", "{cluster: databases/pg1, storage: a, backup: 'my backup'}");

        await().atMost(Duration.ofSeconds(10)).until(() -> "Failed".equals(status("bad").get("phase")));
        assertThat((String) status("bad").get("reason")).contains("restore.requested.v1").contains("backupId");
        assertThat(published).isEmpty();
    }
}
