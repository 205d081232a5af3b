package io.stowage.cli.bus;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

/** Kafka's refusals as a person reads them, however deep the clients and publishers wrapped them. */
class KafkaRefusalTest {
    @Test
    void refusedCredentialsSayWhatKafkaSaidAndWhereToLook() {
        // As EventPublisher.publishAndWait hands it on: the producer's future failed.
        SaslAuthenticationException sasl = new SaslAuthenticationException("Authentication failed during"
                + " authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");
        IllegalStateException published = new IllegalStateException("could not publish x: " + sasl,
                new ExecutionException(sasl));

        assertThat(KafkaRefusal.explain(published)).contains("Kafka refused the connection: Authentication failed"
                + " during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512. Check the"
                + " credentials (sasl.mechanism, sasl.jaas.config) in the Kafka client properties (--kafka-config,"
                + " or the file $STOWAGE_KAFKA_CONFIG names).");
    }

    @Test
    void aFailedTlsHandshakeGivesItsRealReason() {
        SslAuthenticationException ssl = new SslAuthenticationException("SSL handshake failed",
                new SSLHandshakeException("PKIX path building failed"));

        assertThat(KafkaRefusal.explain(ssl)).hasValueSatisfying(m -> assertThat(m)
                .startsWith("the TLS handshake with Kafka failed: SSL handshake failed (PKIX path building failed)."
                        + " Check the trust store"));
    }

    @Test
    void missingRightsAreAnAuthorizationRefusal() {
        assertThat(KafkaRefusal.explain(new TopicAuthorizationException(Set.of("stowage.topology"))))
                .hasValueSatisfying(m -> assertThat(m).startsWith(
                        "Kafka refused access: Not authorized to access topics: [stowage.topology]. The principal")
                        .contains("needs ACLs"));
    }

    @Test
    void aConfigurationTheClientCannotUseNamesTheRootCause() {
        KafkaException construct = new KafkaException("Failed to construct kafka consumer",
                new KafkaException("Failed to load SSL keystore /k.p12 of type PKCS12",
                        new IOException("keystore password was incorrect")));

        assertThat(KafkaRefusal.explain(construct)).contains("the Kafka client could not be set up from its"
                + " configuration: IOException: keystore password was incorrect");
        assertThat(KafkaRefusal.explain(new ConfigException("sasl.mechanism", "x", "nope")))
                .hasValueSatisfying(m -> assertThat(m).startsWith("the Kafka client configuration is not valid: "));
    }

    @Test
    void aBrokerThatDoesNotAnswerHintsAtTheSecurityProtocol() {
        assertThat(KafkaRefusal.explain(new TimeoutException("Timeout expired while fetching topic metadata")))
                .hasValueSatisfying(m -> assertThat(m).startsWith("Kafka did not answer in time (Timeout expired"
                        + " while fetching topic metadata)").contains("security.protocol"));
    }

    @Test
    void anythingElseIsNotItsToExplain() {
        assertThat(KafkaRefusal.explain(new IllegalStateException("topic stowage.topology does not exist"))).isEmpty();
        assertThat(KafkaRefusal.explain(new KafkaException("something else"))).isEmpty();
    }
}
