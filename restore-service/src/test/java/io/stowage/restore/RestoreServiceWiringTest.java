package io.stowage.restore;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.quarkus.EmitterEventPublisher;
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
