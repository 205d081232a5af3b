package io.stowage.bus.quarkus;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.KafkaConnection;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;

/**
 * The Kafka connection of every hand-made client of a service (publishers, followers, scans): Quarkus' default
 * Kafka configuration ({@code kafka.*} properties, or {@code KAFKA_*} environment variables), the same that the
 * SmallRye channels take, so TLS, SASL and any other client property need no code.
 */
@Singleton
public class KafkaConnectionProducer {
    private static final Logger LOG = Logger.getLogger(KafkaConnectionProducer.class);

    @Produces
    @Singleton
    KafkaConnection kafkaConnection(@Identifier("default-kafka-broker") Map<String, Object> config,
                                    MeterRegistry metrics) {
        Map<String, Object> common = new HashMap<>(config);
        // Quarkus adds the application's name as group.id: each client here names its own group, or has none.
        common.remove("group.id");
        // The channels' clients get Kafka's metrics from Quarkus; the long-lived clients made by hand, here.
        KafkaConnection connection = KafkaConnection.of(common).observedBy(client -> {
            if (client instanceof Consumer<?, ?> consumer) {
                new KafkaClientMetrics(consumer).bindTo(metrics);
            } else if (client instanceof Producer<?, ?> producer) {
                new KafkaClientMetrics(producer).bindTo(metrics);
            }
        });
        LOG.infof("Kafka at %s; client settings: %s", connection, connection.describeKeys());
        return connection;
    }
}
