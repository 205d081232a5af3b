package io.stowage.config;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.stowage.bus.AtomicPublisher;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.quarkus.EmitterEventPublisher;
import io.stowage.bus.TransactionalPublisher;
import io.stowage.bus.quarkus.testing.ServiceEndpoints;
import io.stowage.bus.quarkus.testing.SharedKafkaResource;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;

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
        assertThat(transactions).isInstanceOf(TransactionalPublisher.class);
    }

    @Test
    void readyOnceTheTopologyIsRecoveredAndTheFolderAppliedWithItsChannelsUp() {
        await().atMost(Duration.ofSeconds(60)).until(() -> ServiceEndpoints.get(ready).status() == 200);
        assertThat(ServiceEndpoints.get(ready).body()).contains("topology recovered and config folder applied")
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
