package io.stowage.restore;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.StateFollower;
import io.stowage.bus.quarkus.EmitterEventPublisher;
import io.stowage.bus.quarkus.testing.InjectedBeans;
import io.stowage.events.Topics;
import io.stowage.restore.messaging.KafkaRestoreBus;
import io.stowage.restore.messaging.RestoreLog;
import io.stowage.bus.CatalogView;
import io.stowage.restore.plan.RestorePlanner;
import io.stowage.restore.service.RestoreHost;
import io.stowage.restore.service.RestoreSaga;
import io.stowage.bus.quarkus.testing.ServiceEndpoints;
import io.stowage.bus.quarkus.testing.SharedKafkaResource;
import io.stowage.restore.messaging.RestoreRequestsChannel;
import io.stowage.restore.settings.RestoreServiceSettings;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** restore-service as Quarkus wires it, against a real broker: beans, settings, health and metrics endpoints. */
@QuarkusTest
@WithTestResource(value = SharedKafkaResource.class, initArgs = @ResourceArg(name = "folders",
        value = "stowage.secrets-folder"))
class RestoreServiceWiringTest {
    @Inject
    EventPublisher publisher;
    @Inject
    KafkaConnection kafka;
    @Inject
    RestoreServiceSettings settings;
    @Inject
    @Identifier(RestoreRequestsChannel.CHANNEL)
    RestoreRequestsChannel requests;
    @Inject
    RestoreService service;
    @Inject
    @Identifier(Topics.TOPOLOGY)
    StateFollower topologyFollower;
    @Inject
    @Identifier(Topics.CATALOG)
    StateFollower catalogFollower;
    @Inject
    @Identifier(Topics.RESTORE)
    StateFollower restoreFollower;
    @Inject
    @Identifier(Topics.RESYNC)
    StateFollower resyncFollower;
    @Inject
    ClusterTopologies topologies;
    @Inject
    CatalogView catalog;
    @Inject
    RestoreLog log;
    @Inject
    RestorePlanner planner;
    @Inject
    KafkaRestoreBus bus;
    @Inject
    RestoreHost host;
    @Inject
    RestoreSaga saga;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/q/health/ready")
    URL ready;
    @TestHTTPResource("/q/health/live")
    URL live;
    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void everyClientTakesQuarkusKafkaConfigurationAndRestoresHaveTheirHeartbeat() {
        assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
        assertThat(publisher).isInstanceOf(EmitterEventPublisher.class);
        assertThat(requests).isNotNull();
        assertThat(settings.restore().heartbeat()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.restore().lease()).isGreaterThan(settings.restore().heartbeat().multipliedBy(3));
    }

    @Test
    void theStateIsFollowedByBeansAndTheChannelHandsRestoresToTheSagaBean() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(service::ready);
        StateFollower[] followers = {topologyFollower, catalogFollower, restoreFollower, resyncFollower};
        assertThat(followers).extracting(StateFollower::topic)
                .containsExactly(Topics.TOPOLOGY, Topics.CATALOG, Topics.RESTORE, Topics.RESYNC);
        for (StateFollower follower : followers) {
            assertThat(follower.alive()).isTrue();
            assertThat(follower.awaitCurrent(Duration.ofSeconds(10))).as("%s is followed", follower.topic()).isTrue();
        }
        assertThat(bus.catchUpTopology()).isTrue();
        assertThat(bus.catchUpCatalog()).isTrue();
        assertThat(topologies).isNotNull();
        assertThat(catalog).isNotNull();
        assertThat(log).isNotNull();
        assertThat(planner).isNotNull();
        assertThat(host).isNotNull();
        assertThat(service.stopping()).isFalse();
        assertThat(InjectedBeans.held(requests, RestoreSaga.class)).isSameAs(InjectedBeans.instance(saga));
        assertThat(InjectedBeans.held(requests, RestoreService.class)).isSameAs(service);
    }

    @Test
    void readyOnceItsStateIsReadAndLiveWhileItsFollowersRun() {
        await().atMost(Duration.ofSeconds(60)).until(() -> ServiceEndpoints.get(ready).status() == 200);
        assertThat(ServiceEndpoints.get(ready).body()).contains("restore-requests");
        ServiceEndpoints.Answer liveness = ServiceEndpoints.get(live);
        assertThat(liveness.status()).isEqualTo(200);
        assertThat(liveness.body()).contains("follower stowage.topology").contains("follower stowage.catalog");
    }

    @Test
    void metricsShowTheKafkaClients() {
        await().atMost(Duration.ofSeconds(60)).until(() -> ServiceEndpoints.get(ready).status() == 200);
        assertThat(ServiceEndpoints.get(metrics).body()).contains("kafka_consumer_").contains("kafka_producer_");
    }
}
