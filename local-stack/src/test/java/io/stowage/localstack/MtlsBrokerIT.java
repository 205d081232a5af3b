package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.Test;

/** Mutual TLS: the broker requires a client certificate signed by its CA, whose common name is the user; ACLs on. */
class MtlsBrokerIT extends SecuredBrokerChecks {
    @Override
    BrokerSecurity shape() {
        return BrokerSecurity.MTLS;
    }

    @Override
    List<String> secrets() throws Exception {
        return List.of(Files.readString(broker.workDir().resolve("tls/keystore.password")).strip());
    }

    @Test
    void eachUserHasAKeystoreOfItsOwn() {
        Path service = Path.of(broker.clientProperties(BrokerUser.SERVICE).get("ssl.keystore.location"));
        Path admin = Path.of(broker.clientProperties(BrokerUser.ADMIN).get("ssl.keystore.location"));

        assertThat(service).isRegularFile().hasFileName("stowage-service.p12");
        assertThat(admin).isRegularFile().hasFileName("stowage-admin.p12");
        assertThat(broker.clientProperties(BrokerUser.SERVICE))
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.keystore.type", "PKCS12")
                .containsKey("ssl.keystore.password")
                .doesNotContainKeys("sasl.mechanism", "sasl.jaas.config");
    }

    @Test
    void aClientWithoutACertificateIsRefusedAtTheHandshake() {
        assertThatThrownBy(() -> KafkaClients.clusterId(broker.clientPropertiesWithoutCredentials()))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SslAuthenticationException.class)
                // TLS 1.3: the client learns of the refusal after its side of the handshake, from the broker's alert.
                .rootCause().hasMessageMatching(".*(bad_certificate|certificate_required).*");
    }
}
