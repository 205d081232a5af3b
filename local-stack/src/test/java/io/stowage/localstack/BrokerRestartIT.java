package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.stowage.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `stowage up` after `stowage down` must find its topics and records again. */
class BrokerRestartIT {
    @TempDir
    Path workDir;

    @Test
    void aRestartOnTheSameWorkDirectoryKeepsClusterTopicsAndRecords() throws Exception {
        String clusterId;
        try (KafkaBroker broker = KafkaBroker.start(workDir, 0)) {
            clusterId = broker.clusterId();
            assertThat(TopicSetup.ensureTopics(broker.bootstrapServers(), 1)).hasSize(Topics.ALL.size());
            try (KafkaProducer<String, String> producer = KafkaClients.transactionalProducer(broker.bootstrapServers())) {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(Topics.TOPOLOGY, "cluster-a", "v1"));
                producer.send(new ProducerRecord<>(Topics.STORAGE, "main", "s3://bucket"));
                producer.commitTransaction();
            }
        }
        assertThat(workDir.resolve("broker.pid")).doesNotExist();
        assertThat(Files.readString(workDir.resolve("cluster.id")).strip()).isEqualTo(clusterId);

        // Port 0 again: new ports, same storage; the static controller quorum tolerates that.
        try (KafkaBroker broker = KafkaBroker.start(workDir, 0)) {
            assertThat(broker.clusterId()).isEqualTo(clusterId);
            assertThat(TopicSetup.ensureTopics(broker.bootstrapServers(), 1)).isEmpty();

            List<ConsumerRecord<String, String>> records = KafkaClients.readAll(
                    broker.bootstrapServers(), IsolationLevel.READ_COMMITTED, List.of(Topics.TOPOLOGY, Topics.STORAGE));
            assertThat(records).extracting(ConsumerRecord::key, ConsumerRecord::value)
                    .containsExactlyInAnyOrder(
                            tuple("cluster-a", "v1"),
                            tuple("main", "s3://bucket"));
        }
    }
}
