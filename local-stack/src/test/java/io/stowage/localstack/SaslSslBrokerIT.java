package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** SCRAM-SHA-512 over TLS, the users added when the storage was formatted, ACLs on. */
class SaslSslBrokerIT extends SecuredBrokerChecks {
    @Override
    BrokerSecurity shape() {
        return BrokerSecurity.SASL_SSL;
    }

    @Override
    List<String> secrets() throws Exception {
        Properties users = new Properties();
        try (var in = Files.newBufferedReader(broker.workDir().resolve("scram-users.properties"))) {
            users.load(in);
        }
        return List.of(users.getProperty("stowage-admin"), users.getProperty("stowage-service"),
                Files.readString(broker.workDir().resolve("tls/keystore.password")).strip());
    }

    @Test
    void theClientPropertiesLogInWithScram() {
        assertThat(broker.clientProperties(BrokerUser.SERVICE))
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .hasEntrySatisfying("sasl.jaas.config", jaas -> assertThat(jaas)
                        .startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required")
                        .contains("username=\"stowage-service\""));
    }

    @Test
    void aWrongPasswordIsRefusedAsInvalidCredentials() {
        Map<String, String> wrong = new HashMap<>(broker.clientProperties(BrokerUser.SERVICE));
        wrong.put("sasl.jaas.config", wrong.get("sasl.jaas.config").replaceAll("password=\"\\w+\"", "password=\"guessed\""));

        assertThatThrownBy(() -> KafkaClients.clusterId(wrong))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-512");
    }

    /**
     * A client that speaks TLS but no SASL is cut off without a word: Kafka's client only times out. The reason is
     * surfaced by event-bus's KafkaAccessFailure, which asks the broker for its SASL mechanisms.
     */
    @Test
    void aClientWithoutALoginIsRefused() {
        assertThatThrownBy(() -> KafkaClients.clusterId(broker.clientPropertiesWithoutCredentials()))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class);
    }
}
