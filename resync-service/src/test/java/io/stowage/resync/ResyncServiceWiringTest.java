package io.stowage.resync;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.StateFollower;
import io.stowage.bus.TopologyCatchUp;
import io.stowage.bus.quarkus.EmitterEventPublisher;
import io.stowage.bus.quarkus.testing.InjectedBeans;
import io.stowage.bus.quarkus.testing.ServiceEndpoints;
import io.stowage.bus.quarkus.testing.SharedKafkaResource;
import io.stowage.events.Topics;
import io.stowage.resync.catalog.Catalog;
import io.stowage.resync.messaging.ResyncEventHandler;
import io.stowage.resync.messaging.ResyncInputsChannel;
import io.stowage.resync.service.CatalogKeeper;
import io.stowage.resync.service.Resyncs;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** resync-service as Quarkus wires it, against a real broker: beans, health and metrics endpoints. */
@QuarkusTest
@WithTestResource(value = SharedKafkaResource.class, initArgs = @ResourceArg(name = "folders",
        value = "stowage.secrets-folder"))
class ResyncServiceWiringTest {
    @Inject
    EventPublisher publisher;
    @Inject
    KafkaConnection kafka;
    @Inject
    @Identifier(Topics.TOPOLOGY)
    StateFollower topologyFollower;
    @Inject
    @Identifier(Topics.CATALOG)
    StateFollower catalogFollower;
    @Inject
    TopologyCatchUp catchUp;
    @Inject
    ClusterTopologies topologies;
    @Inject
    Catalog catalog;
    @Inject
    CatalogKeeper keeper;
    @Inject
    Resyncs resyncs;
    @Inject
    ResyncEventHandler handler;
    @Inject
    ResyncInputsChannel channel;
    @Inject
    ResyncService service;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TestHTTPResource("/q/health/ready")
    URL ready;
    @TestHTTPResource("/q/health/live")
    URL live;
    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void everyClientTakesQuarkusKafkaConfiguration() {
        assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
        assertThat(publisher).isInstanceOf(EmitterEventPublisher.class);
    }

    @Test
    void theStateIsFollowedByBeansAndTheChannelHandsEventsToTheHandlerBean() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(service::ready);
        assertThat(topologyFollower.topic()).isEqualTo(Topics.TOPOLOGY);
        assertThat(topologyFollower.alive()).isTrue();
        assertThat(topologyFollower.awaitCurrent(Duration.ofSeconds(10))).as("the topology follower runs").isTrue();
        assertThat(catchUp.awaitCurrent()).isTrue();
        assertThat(catalogFollower.awaitCaughtUp(Duration.ZERO)).as("the catalog was read once, at start").isTrue();
        assertThat(keeper.catalog()).isSameAs(catalog);
        assertThat(topologies).isNotNull();
        assertThat(resyncs).isNotNull();
        assertThat(InjectedBeans.held(channel, ResyncEventHandler.class)).isSameAs(InjectedBeans.instance(handler));
        assertThat(InjectedBeans.held(channel, ResyncService.class)).isSameAs(service);
    }

    @Test
    void readyOnceTheCatalogAndTopologyAreReadAndLiveWhileItFollows() {
        await().atMost(Duration.ofSeconds(60)).until(() -> ServiceEndpoints.get(ready).status() == 200);
        assertThat(ServiceEndpoints.get(ready).body()).contains("catalog and topology read").contains("resync-inputs");
        ServiceEndpoints.Answer liveness = ServiceEndpoints.get(live);
        assertThat(liveness.status()).isEqualTo(200);
        assertThat(liveness.body()).contains("follower stowage.topology");
    }

    @Test
    void metricsShowTheCatalogAndTheKafkaClients() {
        await().atMost(Duration.ofSeconds(60)).until(() -> ServiceEndpoints.get(ready).status() == 200);
        assertThat(ServiceEndpoints.get(metrics).body()).contains("stowage_catalog_entries")
                .contains("kafka_consumer_").contains("kafka_producer_");
    }
}
