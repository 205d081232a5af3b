package io.stowage.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import javax.net.ssl.SSLHandshakeException;

import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** The reasons, from the exceptions Kafka's clients throw (as a real broker makes them, see KafkaAccessIT). */
class KafkaAccessTest {
    private static final String PASSWORD = "c0ffee-not-to-be-shown";
    private static final Map<String, Object> SCRAM = Map.of(
            "bootstrap.servers", "127.0.0.1:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"stowage-service\" password=\"" + PASSWORD + "\";",
            "ssl.truststore.type", "PEM",
            "ssl.truststore.location", "/work/kafka/tls/ca.pem");
    private static final Map<String, Object> MTLS_WITHOUT_CERTIFICATE = Map.of(
            "bootstrap.servers", "127.0.0.1:9093",
            "security.protocol", "SSL",
            "ssl.truststore.location", "/work/kafka/tls/ca.pem");

    @Test
    void aRejectedPasswordNamesTheUserAndMechanismButNotThePassword() {
        String reason = KafkaAccess.explain(new ExecutionException(new SaslAuthenticationException(
                "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512")),
                SCRAM);

        assertThat(reason).isEqualTo("Cannot use Kafka at 127.0.0.1:9093: authentication failed for user stowage-service"
                + " (SCRAM-SHA-512): the broker does not know that user with that password");
    }

    @Test
    void theUserIsFoundInAJaasConfigGivenAsAPassword() {
        Map<String, Object> asPassword = new java.util.HashMap<>(SCRAM);
        asPassword.put("sasl.jaas.config", new Password((String) SCRAM.get("sasl.jaas.config")));

        assertThat(KafkaAccess.explain(new SaslAuthenticationException("invalid credentials"), asPassword))
                .contains("user stowage-service").doesNotContain(PASSWORD);
    }

    @Test
    void anUntrustedBrokerCertificateNamesTheCaFile() {
        String reason = KafkaAccess.explain(new ExecutionException(new SslAuthenticationException("SSL handshake failed",
                new SSLHandshakeException("PKIX path building failed: unable to find valid certification path to"
                        + " requested target"))), SCRAM);

        assertThat(reason).contains("the broker's certificate is not trusted by the CA in /work/kafka/tls/ca.pem");
    }

    @Test
    void aMissingClientCertificateIsSaidSo() {
        SslAuthenticationException refused = new SslAuthenticationException("Failed to process post-handshake messages",
                new SSLHandshakeException("Received fatal alert: bad_certificate"));

        assertThat(KafkaAccess.explain(refused, MTLS_WITHOUT_CERTIFICATE))
                .endsWith("the broker requires a client certificate (mutual TLS) and the client has none:"
                        + " set ssl.keystore.location");
        Map<String, Object> withCertificate = new java.util.HashMap<>(MTLS_WITHOUT_CERTIFICATE);
        withCertificate.put("ssl.keystore.location", "/work/other/stowage-service.p12");
        assertThat(KafkaAccess.explain(refused, withCertificate))
                .contains("the broker refused the client certificate in /work/other/stowage-service.p12");
    }

    @Test
    void aMissingAclNamesWhoAndWhichTopics() {
        assertThat(KafkaAccess.explain(new TopicAuthorizationException(Set.of("stowage.backup")), SCRAM))
                .contains("user stowage-service is not allowed to do that on topics [stowage.backup]");
    }

    @Test
    void aTimeoutWithNobodyListeningSaysSo() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }

        assertThat(KafkaAccess.explain(new TimeoutException("Timed out waiting for a node assignment."),
                Map.of("bootstrap.servers", "127.0.0.1:" + port)))
                .contains("nothing accepts connections at 127.0.0.1:" + port);
    }
}
