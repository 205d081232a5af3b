package io.stowage.localstack;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The opt-in alternative to the subprocess broker: Apache Kafka's own image through Testcontainers' Kafka module, for
 * machines with a Docker engine. Loaded only when asked for, so nothing else needs Docker or these classes.
 */
final class ContainerKafka {
    static final String IMAGE = "apache/kafka:4.2.1";

    private ContainerKafka() {
    }

    static String start(int partitions) {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException(SharedKafka.PROVIDER + "=testcontainers needs a running Docker engine, and "
                    + "there is none here; drop the property to use the subprocess broker");
        }
        KafkaContainer kafka = new KafkaContainer(IMAGE)
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1");
        kafka.start();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::stop, "stop-container-kafka"));
        TopicSetup.ensureTopics(kafka.getBootstrapServers(), partitions);
        return kafka.getBootstrapServers();
    }
}
