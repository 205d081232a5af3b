package io.stowage.bus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaConnectionTest {

    @Test
    void aClientPropertiesFileReachesEveryClientAndItsBootstrapCanBeReplaced(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                bootstrap.servers=kafka-0:9093
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";
                ssl.truststore.location=/etc/ca.p12
                """);

        KafkaConnection kafka = KafkaConnection.load(file, "127.0.0.1:1234");

        assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:1234");
        assertThat(kafka.securityProtocol()).isEqualTo("SASL_SSL");
        Properties consumer = kafka.consumer("c", Map.of());
        assertThat(consumer).containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/ca.p12");
        assertThat(kafka.producer("p")).containsEntry("security.protocol", "SASL_SSL");
        assertThat(kafka.admin("a")).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(KafkaConnection.load(file, null).bootstrapServers()).isEqualTo("kafka-0:9093");
    }

    @Test
    void theConnectionTunesClientsButNeverChangesWhatTheyRelyOn() {
        KafkaConnection kafka = KafkaConnection.of(Map.of("bootstrap.servers", "b:9092",
                "session.timeout.ms", "30000", "isolation.level", "read_uncommitted", "enable.auto.commit", "true",
                "acks", "1", "enable.idempotence", "false"));

        Properties consumer = kafka.consumer("c", Map.of("session.timeout.ms", 10_000));
        assertThat(consumer).containsEntry("session.timeout.ms", "30000")
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("enable.auto.commit", false)
                .containsEntry("client.id", "c");
        assertThat(kafka.producer("p")).containsEntry("acks", "all").containsEntry("enable.idempotence", true);
    }

    @Test
    void whatItPrintsNamesNoSecret() {
        KafkaConnection kafka = KafkaConnection.of(Map.of("bootstrap.servers", "b:9092", "security.protocol", "SSL",
                "ssl.keystore.password", "hunter2"));

        assertThat(kafka.toString()).isEqualTo("b:9092 (SSL)").doesNotContain("hunter2");
        assertThat(kafka.describeKeys()).contains("ssl.keystore.password").doesNotContain("hunter2");
    }

    @Test
    void aConfigurationWithoutBootstrapServersIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"), "security.protocol=SSL\n");

        assertThatThrownBy(() -> KafkaConnection.load(file, null))
                .hasMessageContaining("name no bootstrap.servers").hasMessageContaining(file.toString());
        assertThatThrownBy(() -> KafkaConnection.load(dir.resolve("missing.properties"), null))
                .hasMessageContaining("cannot read the Kafka client properties");
        assertThatThrownBy(() -> KafkaConnection.of(Map.of())).hasMessageContaining("bootstrap.servers");
    }

    @Test
    void anInstanceIsNamedByConfigurationElseByItsHost() {
        assertThat(InstanceId.resolve(Optional.of("backup-2"), Map.of("HOSTNAME", "pod-7")).value())
                .isEqualTo("backup-2");
        assertThat(InstanceId.resolve(Optional.empty(), Map.of("HOSTNAME", "stowage-backup-5f7c9-x2l")).value())
                .isEqualTo("stowage-backup-5f7c9-x2l");
        assertThat(InstanceId.resolve(Optional.of(" "), Map.of()).value()).isNotBlank();
        assertThat(new InstanceId("b-1").clientId("stowage-backup-service", "rejections"))
                .isEqualTo("stowage-backup-service-rejections-b-1");
        assertThatThrownBy(() -> new InstanceId("a b")).hasMessageContaining("instance id");
    }
}
