package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.stowage.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stowage up} in a secured shape: a detached broker that a later process finds through the client properties
 * file in its work directory, and that keeps its users, certificates and records across a restart.
 */
class SecuredBrokerRestartIT {
    @TempDir
    Path workDir;

    @AfterEach
    void stopLeftovers() {
        KafkaBroker.stop(workDir);
    }

    @Test
    void aDetachedSaslSslBrokerIsFoundByALaterProcessAndKeepsItsUsersAcrossARestart() throws Exception {
        launchDetached(BrokerSecurity.SASL_SSL);

        // This JVM is the later process: all it knows is the work directory.
        Properties admin = new Properties();
        try (Reader reader = Files.newBufferedReader(KafkaBroker.clientPropertiesFile(workDir, BrokerUser.ADMIN))) {
            admin.load(reader);
        }
        assertThat(TopicSetup.ensureTopics(admin, 1)).hasSize(Topics.ALL.size());
        Map<String, String> service = KafkaBroker.clientProperties(workDir, BrokerUser.SERVICE);
        try (KafkaProducer<String, String> producer = KafkaClients.transactionalProducer(service)) {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.TOPOLOGY, "cluster-a", "before the restart"));
            producer.commitTransaction();
        }
        byte[] ca = Files.readAllBytes(Path.of(service.get("ssl.truststore.location")));
        assertThat(KafkaBroker.stop(workDir)).isTrue();

        for (BrokerSecurity other : List.of(BrokerSecurity.PLAINTEXT, BrokerSecurity.MTLS)) {
            assertThatThrownBy(() -> KafkaBroker.start(workDir, 0, other))
                    .hasMessageContaining("was made SASL_SSL and cannot start " + other);
        }

        try (KafkaBroker broker = KafkaBroker.start(workDir, 0, BrokerSecurity.SASL_SSL)) {
            Map<String, String> oldLoginNewAddress = new HashMap<>(service);
            oldLoginNewAddress.put("bootstrap.servers", broker.bootstrapServers());
            assertThat(broker.clientProperties(BrokerUser.SERVICE)).isEqualTo(oldLoginNewAddress);
            assertThat(broker.caCertificatePem()).hasBinaryContent(ca);

            List<ConsumerRecord<String, String>> records =
                    KafkaClients.readAll(oldLoginNewAddress, IsolationLevel.READ_COMMITTED, List.of(Topics.TOPOLOGY));
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("before the restart");
        }
    }

    private void launchDetached(BrokerSecurity security) throws Exception {
        Process launcher = new ProcessBuilder(JavaCommand.javaBinary(),
                "-cp", System.getProperty("java.class.path"),
                "-D" + KafkaLibs.PROPERTY + "=" + KafkaLibs.locate(),
                DetachedLauncher.class.getName(), workDir.toString(), security.name())
                .redirectErrorStream(true)
                .start();
        String output = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(launcher.waitFor(10, TimeUnit.SECONDS)).as("launcher exited; output:%n%s", output).isTrue();
        assertThat(launcher.exitValue()).as("launcher output:%n%s", output).isZero();
        assertThat(KafkaBroker.isRunning(workDir)).isTrue();
    }
}
