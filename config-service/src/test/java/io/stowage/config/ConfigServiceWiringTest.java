package io.stowage.config;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.stowage.bus.AtomicPublisher;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.KafkaConnection;
import io.smallrye.common.annotation.Identifier;
import io.stowage.config.messaging.FanOutTransactions;
import io.stowage.bus.quarkus.EmitterEventPublisher;
import io.stowage.bus.quarkus.testing.InjectedBeans;
import io.stowage.config.config.ConfigProducers;
import io.stowage.config.messaging.ConfigChannels;
import io.stowage.config.messaging.KafkaTopologyPublisher;
import io.stowage.config.messaging.RestoreFollower;
import io.stowage.config.messaging.TopologyFollower;
import io.stowage.config.source.ConfigFolder;
import io.stowage.config.source.ConfigFolderWatcher;
import io.stowage.config.topology.AppliedTopologies;
import io.stowage.config.topology.BackupSourceApplier;
import io.stowage.config.topology.ConfigReconciler;
import io.stowage.config.topology.FolderApplier;
import io.stowage.config.topology.TopologyPublisher;
import io.stowage.bus.quarkus.testing.ServiceEndpoints;
import io.stowage.bus.quarkus.testing.SharedKafkaResource;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** config-service as Quarkus wires it, against a real broker: beans, health and metrics endpoints. */
@QuarkusTest
@WithTestResource(value = SharedKafkaResource.class, initArgs = @ResourceArg(name = "folders",
        value = "stowage.config.folder"))
class ConfigServiceWiringTest {
    @Inject
    EventPublisher publisher;
    @Inject
    AtomicPublisher transactions;
    @Inject
    KafkaConnection kafka;
    @Inject
    ConfigService service;
    @Inject
    ConfigChannels channels;
    @Inject
    TopologyFollower topologyFollower;
    @Inject
    RestoreFollower restoreFollower;
    @Inject
    TopologyPublisher topologyPublisher;
    @Inject
    AppliedTopologies applied;
    @Inject
    ConfigFolder folder;
    @Inject
    ConfigReconciler reconciler;
    @Inject
    FolderApplier folderApplier;
    @Inject
    BackupSourceApplier backupSources;
    @Inject
    ConfigFolderWatcher watcher;
    @Inject
    @Identifier(ConfigProducers.APPLY_THREAD)
    ScheduledExecutorService applyThread;
    @ConfigProperty(name = "stowage.config.folder")
    String folderSetting;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/q/health/ready")
    URL ready;
    @TestHTTPResource("/q/health/live")
    URL live;
    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void eventsGoThroughTheEmitterAndTheFanOutThroughOneTransactionalProducer() {
        assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
        assertThat(publisher).isInstanceOf(EmitterEventPublisher.class);
        assertThat(transactions).isInstanceOf(FanOutTransactions.Traced.class);
    }

    @Test
    void theChannelsHandRecordsToTheHandlerBeansWhichApplyOnTheOneApplyThread() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(service::ready);
        assertThat(topologyPublisher).isInstanceOf(KafkaTopologyPublisher.class);
        assertThat(folder.root()).isEqualTo(Path.of(folderSetting).toAbsolutePath());
        assertThat(folderApplier.appliedOnce()).isTrue();
        assertThat(applied.all()).isNotNull();
        assertThat(reconciler).isNotNull();
        assertThat(backupSources).isNotNull();
        assertThat(watcher).isNotNull();
        assertThat(InjectedBeans.held(channels, TopologyFollower.class))
                .isSameAs(InjectedBeans.instance(topologyFollower));
        assertThat(InjectedBeans.held(channels, RestoreFollower.class))
                .isSameAs(InjectedBeans.instance(restoreFollower));
        assertThat(InjectedBeans.held(restoreFollower, ExecutorService.class))
                .as("restore events are applied on the thread that applies the folder").isSameAs(applyThread);
        assertThat(applyThread.submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS))
                .isEqualTo("config-apply");
    }

    @Test
    void readyOnceTheTopologyIsRecoveredAndTheFolderAppliedWithItsChannelsUp() {
        await().atMost(Duration.ofSeconds(60)).until(() -> ServiceEndpoints.get(ready).status() == 200);
        assertThat(ServiceEndpoints.get(ready).body()).contains("topology recovered and config sources applied")
                .contains("topology-updates").contains("restore-events");
        assertThat(ServiceEndpoints.get(live).status()).isEqualTo(200);
    }

    @Test
    void metricsShowTheApplyTimerAndTheKafkaClients() {
        await().atMost(Duration.ofSeconds(60)).until(() -> ServiceEndpoints.get(ready).status() == 200);
        assertThat(ServiceEndpoints.get(metrics).body()).contains("stowage_config_apply_seconds")
                .contains("kafka_consumer_").contains("kafka_producer_");
    }
}
