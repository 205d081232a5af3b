package io.stowage.backup;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.smallrye.common.annotation.Identifier;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.stowage.backup.messaging.ArchiverOwnership;
import io.stowage.backup.schedule.BackupScheduler;
import io.stowage.backup.messaging.BackupRequestHandler;
import io.stowage.backup.messaging.BackupRequestsChannel;
import io.stowage.backup.metrics.BackupMetrics;
import io.stowage.backup.metrics.WalGauges;
import io.stowage.backup.pipeline.BaseBackupRun;
import io.stowage.backup.settings.BackupServiceSettings;
import io.stowage.backup.topology.StorageOpener;
import io.stowage.backup.wal.ArchivingPauses;
import io.stowage.backup.wal.WalArchivers;
import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.InstanceId;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.StateFollower;
import io.stowage.bus.TopologyCatchUp;
import io.stowage.bus.quarkus.EmitterEventPublisher;
import io.stowage.bus.quarkus.testing.InjectedBeans;
import io.stowage.events.Topics;
import io.stowage.storage.SecretSource;
import io.stowage.storage.SecretsFolder;
import io.stowage.bus.quarkus.testing.ServiceEndpoints;
import io.stowage.bus.quarkus.testing.SharedKafkaResource;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** backup-service as Quarkus wires it, against a real broker: beans, settings, health and metrics endpoints. */
@QuarkusTest
@WithTestResource(value = SharedKafkaResource.class, initArgs = @ResourceArg(name = "folders",
        value = "stowage.secrets-folder,stowage.wal.spool-folder"))
class BackupServiceWiringTest {
    @Inject
    EventPublisher publisher;
    @Inject
    KafkaConnection kafka;
    @Inject
    InstanceId instance;
    @Inject
    BackupServiceSettings settings;
    @Inject
    @Identifier(BackupRequestsChannel.CHANNEL)
    BackupRequestsChannel requests;
    @Inject
    BackupService service;
    @Inject
    @Identifier(Topics.TOPOLOGY)
    StateFollower topologyFollower;
    @Inject
    @Identifier(Topics.RESTORE)
    StateFollower restoreFollower;
    @Inject
    TopologyCatchUp catchUp;
    @Inject
    ClusterTopologies topologies;
    @Inject
    ArchivingPauses pauses;
    @Inject
    SecretSource secrets;
    @Inject
    StorageOpener storages;
    @Inject
    BaseBackupRun run;
    @Inject
    BackupMetrics backupMetrics;
    @Inject
    WalArchivers archivers;
    @Inject
    ArchiverOwnership ownership;
    @Inject
    BackupScheduler scheduler;
    @Inject
    WalGauges walGauges;
    @Inject
    BackupRequestHandler handler;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/q/health/ready")
    URL ready;
    @TestHTTPResource("/q/health/live")
    URL live;
    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void everyClientTakesQuarkusKafkaConfigurationAndEventsGoThroughTheEmitter() {
        assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
        assertThat(publisher).isInstanceOf(EmitterEventPublisher.class);
        assertThat(instance.value()).isEqualTo("wiring-test");
        assertThat(requests).isNotNull();
        assertThat(settings.backup().maxConcurrent()).isEqualTo(2);
        assertThat(settings.backup().lease()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theStateIsFollowedByBeansWalArchivingRunsAndTheChannelHandsBackupsToTheHandlerBean() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(service::ready);
        for (StateFollower follower : new StateFollower[] {topologyFollower, restoreFollower}) {
            assertThat(follower.alive()).isTrue();
            assertThat(follower.awaitCurrent(Duration.ofSeconds(10))).as("%s is followed", follower.topic()).isTrue();
        }
        assertThat(topologyFollower.topic()).isEqualTo(Topics.TOPOLOGY);
        assertThat(restoreFollower.topic()).isEqualTo(Topics.RESTORE);
        assertThat(catchUp.awaitCurrent()).isTrue();
        assertThat(topologies).isNotNull();
        assertThat(pauses).isNotNull();
        assertThat(secrets).as("the default secrets-source").isInstanceOf(SecretsFolder.class);
        assertThat(storages).isNotNull();
        assertThat(run).isNotNull();
        assertThat(backupMetrics).isNotNull();
        assertThat(walGauges).isNotNull();
        assertThat(ownership.alive()).isTrue();
        assertThat(InjectedBeans.held(service, ArchiverOwnership.class)).as("the ownership BackupService started")
                .isSameAs(ownership);
        assertThat(InjectedBeans.held(service, BackupScheduler.class)).as("the scheduler BackupService ticks")
                .isSameAs(InjectedBeans.instance(scheduler));
        assertThat(service.stopping()).isFalse();
        assertThat(InjectedBeans.held(requests, BackupRequestHandler.class))
                .isSameAs(InjectedBeans.instance(handler));
        assertThat(InjectedBeans.held(requests, BackupService.class)).isSameAs(service);
    }

    @Test
    void readyOnceItsStateTopicsAreReadAndLiveWhileItsLoopsRun() {
        await().atMost(Duration.ofSeconds(60)).until(() -> ServiceEndpoints.get(ready).status() == 200);
        assertThat(ServiceEndpoints.get(ready).body()).contains("stowage-startup")
                .contains("topology and restores read").contains("backup-requests");
        ServiceEndpoints.Answer liveness = ServiceEndpoints.get(live);
        assertThat(liveness.status()).isEqualTo(200);
        assertThat(liveness.body()).contains("stowage-kafka-loops").contains("follower stowage.topology")
                .contains("follower stowage.restore").contains("cluster ownership (WAL archiving, schedules)");
    }

    @Test
    void metricsShowTheKafkaClientsOfTheChannelsAndOfTheFollowers() {
        await().atMost(Duration.ofSeconds(60)).until(() -> ServiceEndpoints.get(ready).status() == 200);
        String text = ServiceEndpoints.get(metrics).body();
        assertThat(text).contains("kafka_consumer_").contains("client_id=\"stowage-follow-stowage.topology-");
        assertThat(text).contains("kafka_producer_");
    }
}
