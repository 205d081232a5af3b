package io.stowage.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.stowage.localstack.BrokerSecurity;
import io.stowage.localstack.BrokerUser;
import io.stowage.localstack.KafkaBroker;
import io.stowage.localstack.SharedKafka;
import io.stowage.localstack.TestCertificates;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user is told when a client cannot use a real SASL_SSL or mTLS broker: every refusal names its reason, also
 * those where Kafka's client only times out. No message holds a password.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaAccessIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private Path dir;
    private KafkaBroker sasl;
    private KafkaBroker mtls;
    private Path otherCa;

    @BeforeAll
    void startBrokers(@TempDir Path tempDir) {
        dir = tempDir;
        sasl = KafkaBroker.start(dir.resolve("sasl"), 0, BrokerSecurity.SASL_SSL);
        mtls = KafkaBroker.start(dir.resolve("mtls"), 0, BrokerSecurity.MTLS);
        otherCa = TestCertificates.unrelatedCaPem(dir.resolve("other-ca"));
    }

    @AfterAll
    void stopBrokers() {
        for (KafkaBroker broker : new KafkaBroker[] {sasl, mtls}) {
            if (broker != null) {
                broker.close();
            }
        }
    }

    @Test
    void theRightPropertiesGetIn() {
        for (KafkaBroker broker : List.of(sasl, mtls)) {
            for (BrokerUser user : BrokerUser.values()) {
                assertThat(KafkaAccess.clusterId(broker.clientProperties(user), TIMEOUT)).isEqualTo(broker.clusterId());
            }
        }
    }

    @Test
    void aWrongPasswordIsAnAuthenticationFailureOfThatUser() {
        Map<String, String> wrong = new HashMap<>(sasl.clientProperties(BrokerUser.SERVICE));
        wrong.put("sasl.jaas.config", wrong.get("sasl.jaas.config").replaceAll("password=\"\\w+\"", "password=\"guessed-wrong\""));

        assertRefused(wrong, "authentication failed for user stowage-service (SCRAM-SHA-512)");
    }

    @Test
    void noSaslLoginIsToldWhichMechanismsTheBrokerOffers() {
        // Kafka's client only times out here: the broker closes the connection when a request comes before a login.
        assertRefused(sasl.clientPropertiesWithoutCredentials(),
                "the broker requires a SASL login (it offers [SCRAM-SHA-512]) and the client has none");
    }

    @Test
    void plaintextToATlsListenerIsToldToUseTls() {
        for (KafkaBroker broker : List.of(sasl, mtls)) {
            assertRefused(Map.of("bootstrap.servers", broker.bootstrapServers()),
                    "the broker speaks TLS on this port, yet security.protocol is PLAINTEXT");
        }
    }

    @Test
    void tlsToAPlaintextListenerIsToldItIsNotTls() {
        Map<String, String> tls = new HashMap<>(sasl.clientProperties(BrokerUser.SERVICE));
        tls.put("bootstrap.servers", SharedKafka.bootstrapServers());

        assertRefused(tls, "the broker does not speak TLS on this port");
    }

    @Test
    void anotherCaNamesTheCaFileTheClientTrusts() {
        for (KafkaBroker broker : List.of(sasl, mtls)) {
            assertRefused(broker.clientPropertiesTrusting(BrokerUser.SERVICE, otherCa),
                    "the broker's certificate is not trusted by the CA in " + otherCa.toAbsolutePath());
        }
    }

    @Test
    void noClientCertificateIsToldTheBrokerRequiresOne() {
        assertRefused(mtls.clientPropertiesWithoutCredentials(),
                "the broker requires a client certificate (mutual TLS) and the client has none");
    }

    @Test
    void aMissingAclNamesTheUser() {
        Map<String, Object> service = new HashMap<>(sasl.clientProperties(BrokerUser.SERVICE));
        try (Admin admin = Admin.create(service)) {
            Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> admin.createTopics(
                    List.of(new NewTopic("x-" + UUID.randomUUID(), 1, (short) 1))).all().get());

            assertThat(KafkaAccess.explain(refused, service))
                    .contains("user stowage-service is not allowed to do that")
                    .contains("TopicAuthorizationException");
        }
    }

    private void assertRefused(Map<String, String> properties, String reason) {
        assertThatThrownBy(() -> KafkaAccess.clusterId(properties, TIMEOUT))
                .isInstanceOf(KafkaAccess.Failure.class)
                .hasMessageStartingWith("Cannot use Kafka at " + properties.get("bootstrap.servers") + ": ")
                .hasMessageContaining(reason)
                .satisfies(failure -> assertThat(failure.getMessage()).doesNotContain(password(properties)));
    }

    private static String password(Map<String, String> properties) {
        String jaas = properties.getOrDefault("sasl.jaas.config", "");
        int at = jaas.indexOf("password=\"");
        return at < 0 ? properties.getOrDefault("ssl.keystore.password", "\u0000")
                : jaas.substring(at + 10, jaas.indexOf('"', at + 10));
    }
}
