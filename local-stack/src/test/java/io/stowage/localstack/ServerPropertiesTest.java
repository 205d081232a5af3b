package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerPropertiesTest {
    @TempDir
    Path tmp;

    @Test
    void aPlaintextBrokerGetsTheListenersItAlwaysHad() throws IOException {
        BrokerWorkDir dir = new BrokerWorkDir(tmp);
        ListenerSecurity plaintext = ListenerSecurity.prepare(dir, BrokerSecurity.PLAINTEXT);

        ServerProperties.write(dir.serverProperties(), dir.data(), 9093,
                plaintext.serverProperties("127.0.0.1", 9092, 9093), false);

        assertThat(Files.readAllLines(dir.serverProperties())).containsSubsequence(
                "controller.quorum.voters=1@127.0.0.1:9093",
                "listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
                "advertised.listeners=PLAINTEXT://127.0.0.1:9092",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.data())
                .noneMatch(line -> line.startsWith("ssl.") || line.startsWith("sasl.") || line.contains("authorizer"));
        assertThat(tmp.resolve("tls")).doesNotExist();
        assertThat(plaintext.client("127.0.0.1:9092", BrokerUser.SERVICE)).containsOnly(
                java.util.Map.entry("bootstrap.servers", "127.0.0.1:9092"),
                java.util.Map.entry("security.protocol", "PLAINTEXT"));
    }

    @Test
    void aSaslSslBrokerLogsInToItselfAsTheAdminAndKeepsItsControllerToTheBrokerCertificate() throws IOException {
        BrokerWorkDir dir = new BrokerWorkDir(tmp);
        ListenerSecurity sasl = ListenerSecurity.prepare(dir, BrokerSecurity.SASL_SSL);

        ServerProperties.write(dir.serverProperties(), dir.data(), 9093,
                sasl.serverProperties("127.0.0.1", 9092, 9093), true);

        Properties written = load(dir.serverProperties());
        assertThat(written)
                .containsEntry("listeners", "SASL_SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093")
                .containsEntry("inter.broker.listener.name", "SASL_SSL")
                .containsEntry("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SSL")
                .containsEntry("listener.name.controller.ssl.client.auth", "required")
                .containsEntry("sasl.enabled.mechanisms", "SCRAM-SHA-512")
                .containsEntry("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512")
                .containsEntry("authorizer.class.name", ListenerSecurity.AUTHORIZER)
                .containsEntry("super.users", "User:stowage-broker;User:stowage-admin");
        assertThat(written.getProperty("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"))
                .isEqualTo(sasl.client("127.0.0.1:9092", BrokerUser.ADMIN).get("sasl.jaas.config"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.serverProperties())))
                .isEqualTo("rw-------");
        assertThat(sasl.formatArguments()).hasSize(4)
                .contains("--add-scram")
                .anyMatch(arg -> arg.startsWith("SCRAM-SHA-512=[name=stowage-service,password="));
    }

    @Test
    void anMtlsBrokerRequiresClientCertificatesOnItsClientListener() {
        ListenerSecurity mtls = ListenerSecurity.prepare(new BrokerWorkDir(tmp), BrokerSecurity.MTLS);

        assertThat(mtls.serverProperties("127.0.0.1", 9092, 9093))
                .containsEntry("listeners", "SSL://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093")
                .containsEntry("listener.security.protocol.map", "SSL:SSL,CONTROLLER:SSL")
                .containsEntry("listener.name.ssl.ssl.client.auth", "required")
                .doesNotContainKeys("sasl.enabled.mechanisms", "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config");
        assertThat(mtls.formatArguments()).isEmpty();
        assertThat(mtls.withoutCredentials("127.0.0.1:9092"))
                .containsEntry("security.protocol", "SSL")
                .doesNotContainKeys("ssl.keystore.location", "sasl.jaas.config");
    }

    private static Properties load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        return properties;
    }
}
