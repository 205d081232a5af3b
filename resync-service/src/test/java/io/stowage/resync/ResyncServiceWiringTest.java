package io.stowage.resync;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.quarkus.EmitterEventPublisher;
import io.stowage.bus.quarkus.testing.ServiceEndpoints;
import io.stowage.bus.quarkus.testing.SharedKafkaResource;
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
