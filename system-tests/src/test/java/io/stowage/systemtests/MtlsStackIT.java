package io.stowage.systemtests;

import io.stowage.localstack.BrokerSecurity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SecuredStackChecks} on mutual TLS: each client presents a certificate from the broker's CA, the services and
 * the command that of {@code stowage-service}; and a client that presents none.
 */
class MtlsStackIT extends SecuredStackChecks {
    @Override
    BrokerSecurity shape() {
        return BrokerSecurity.MTLS;
    }

    @Test
    void aClientWithoutACertificateIsRefusedNamingTheTlsHandshakeAndTheCertificate() throws Exception {
        StowageCli.Result result = cliWith(broker.clientPropertiesWithoutCredentials(), "no-certificate",
                "backup", "create", "--cluster", "refused", "--backup-id", "never");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).as(result.toString()).contains("TLS").containsIgnoringCase("certificate");
    }
}
