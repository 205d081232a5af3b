package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import io.stowage.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every secured shape must do, against one real broker per class: the service user writes and reads in
 * transactions, only the admin creates topics, a client trusting another CA is refused, and no secret reaches a log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class SecuredBrokerChecks {
    Path tempDir;
    KafkaBroker broker;
    CapturedLogs logs;

    abstract BrokerSecurity shape();

    /** Every secret of this shape: none may appear in a log line, ours, the clients' or the broker's. */
    abstract List<String> secrets() throws Exception;

    @BeforeAll
    void startBroker(@TempDir Path dir) {
        tempDir = dir;
        logs = CapturedLogs.attach();
        broker = KafkaBroker.start(tempDir.resolve("kafka"), 0, shape());
        TopicSetup.ensureTopics(broker.clientProperties(BrokerUser.ADMIN), 1);
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
        logs.close();
    }

    @Test
    void theServiceUserWritesAndReadsInTransactionsOnATopicTheAdminCreated() throws Exception {
        String topic = "secured-" + UUID.randomUUID();
        KafkaClients.createTopic(broker.clientProperties(BrokerUser.ADMIN), topic);

        // The commit markers go from the transaction coordinator to the leader over the inter-broker listener:
        // this passes only if the broker can log in to itself.
        try (KafkaProducer<String, String> producer =
                     KafkaClients.transactionalProducer(broker.clientProperties(BrokerUser.SERVICE))) {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "cluster-a", "committed"));
            producer.send(new ProducerRecord<>(Topics.BACKUP, topic, "committed-event"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "cluster-a", "aborted"));
            producer.flush();
            producer.abortTransaction();
        }

        List<ConsumerRecord<String, String>> read = KafkaClients.readAll(
                broker.clientProperties(BrokerUser.SERVICE), IsolationLevel.READ_COMMITTED, List.of(topic, Topics.BACKUP));
        assertThat(read).filteredOn(r -> r.topic().equals(topic) || topic.equals(r.key()))
                .extracting(ConsumerRecord::topic, ConsumerRecord::value)
                .containsExactlyInAnyOrder(tuple(topic, "committed"), tuple(Topics.BACKUP, "committed-event"));
    }

    @Test
    void theServiceUserMayNotCreateTopics() {
        assertThatThrownBy(() -> KafkaClients.createTopic(broker.clientProperties(BrokerUser.SERVICE), "not-" + UUID.randomUUID()))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void aClientTrustingAnotherCaIsRefusedAtTheHandshake() {
        Path otherCa = TestCertificates.unrelatedCaPem(tempDir.resolve("other-ca"));

        assertThatThrownBy(() -> KafkaClients.clusterId(broker.clientPropertiesTrusting(BrokerUser.ADMIN, otherCa)))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SslAuthenticationException.class)
                .hasMessageContaining("SSL handshake failed")
                .rootCause().hasMessageContaining("unable to find valid certification path");
    }

    @Test
    void theClientPropertiesFilesMatchAndOnlyTheirOwnerReadsThem() throws Exception {
        for (BrokerUser user : BrokerUser.values()) {
            Path file = broker.clientPropertiesFile(user);
            assertThat(ClientPropertiesFile.read(file)).isEqualTo(broker.clientProperties(user));
            assertThat(KafkaBroker.clientProperties(broker.workDir(), user)).isEqualTo(broker.clientProperties(user));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(broker.workDir().resolve("server.properties"))))
                .isEqualTo("rw-------");
        assertThat(broker.clientProperties(BrokerUser.SERVICE))
                .containsEntry("bootstrap.servers", broker.bootstrapServers())
                .containsEntry("security.protocol", shape().protocol())
                .containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("ssl.truststore.location", broker.caCertificatePem().toString());
    }

    // Last: by then the refused clients have logged their errors too.
    @Test
    @Order(Integer.MAX_VALUE)
    void noSecretIsInAnyLog() throws Exception {
        List<String> everything = new ArrayList<>(logs.lines());
        everything.add(Files.readString(broker.workDir().resolve("broker.log")));
        assertThat(secrets()).isNotEmpty().allSatisfy(secret -> assertThat(secret).hasSizeGreaterThan(16));
        for (String secret : secrets()) {
            assertThat(everything).noneMatch(text -> text.contains(secret));
        }
        assertThat(logs.lines()).as("the capture works").anyMatch(line -> line.contains("Contract topics ready"));
    }
}
