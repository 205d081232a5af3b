package io.stowage.cli.commands;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.Cli;
import io.stowage.cli.stack.StowageHome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where a command's Kafka connection comes from: a client properties file, the environment, --kafka, the local stack. */
class KafkaOptionTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"stowage\" password=\"s3cr=t; \\\"quoted\\\"\";";

    @Command(name = "probe")
    static class Probe implements Runnable {
        @Mixin
        KafkaOption kafka;

        @Override
        public void run() {
        }
    }

    @TempDir
    Path dir;

    @AfterEach
    void forgetTheCallerDir() {
        System.clearProperty(CallerDir.PROPERTY);
    }

    private KafkaConnection connection(Map<String, String> env, String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.kafka.connection(new StowageHome(dir.resolve("home")), env);
    }

    private KafkaConnection connection(String... args) {
        return connection(Map.of(), args);
    }

    private Path saslSsl(String name) throws IOException {
        Path truststore = Files.writeString(dir.resolve("truststore.p12"), "not parsed before a client opens it");
        return Files.writeString(dir.resolve(name), String.join("\n",
                "bootstrap.servers=kafka-1.example:9093,kafka-2.example:9093",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=" + JAAS.replace("\\", "\\\\"),
                "ssl.truststore.location=" + truststore,
                "ssl.truststore.password=changeit",
                ""));
    }

    @Test
    void withNeitherItIsTheLocalStacksBrokerInPlaintext() {
        KafkaConnection kafka = connection();

        assertThat(kafka.properties()).isEqualTo(Map.of("bootstrap.servers", "127.0.0.1:9092"));
        assertThat(kafka).hasToString("127.0.0.1:9092 (PLAINTEXT)");
    }

    @Test
    void kafkaAloneIsPlaintextToThoseServers() {
        assertThat(connection("--kafka", "b1:9092,b2:9092").properties())
                .isEqualTo(Map.of("bootstrap.servers", "b1:9092,b2:9092"));
    }

    @Test
    void aClientPropertiesFileGivesEveryClientSettingAndToStringNoneOfTheSecrets() throws IOException {
        KafkaConnection kafka = connection("--kafka-config", saslSsl("client.properties").toString());

        assertThat(kafka.properties()).containsEntry("bootstrap.servers", "kafka-1.example:9093,kafka-2.example:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.truststore.password", "changeit");
        assertThat(kafka).hasToString("kafka-1.example:9093,kafka-2.example:9093 (SASL_SSL)");
    }

    @Test
    void kafkaReplacesTheFilesBootstrapServersAndKeepsTheRest() throws IOException {
        KafkaConnection kafka = connection("--kafka-config", saslSsl("client.properties").toString(),
                "--kafka", "127.0.0.1:19093");

        assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:19093");
        assertThat(kafka.properties()).containsEntry("sasl.jaas.config", JAAS);
    }

    @Test
    void theEnvironmentNamesTheFileWhenTheOptionDoesNot() throws IOException {
        Path fromEnv = saslSsl("env.properties");
        Path fromOption = Files.writeString(dir.resolve("option.properties"), "bootstrap.servers=option:9092\n");

        assertThat(connection(Map.of(KafkaOption.CONFIG_ENV, fromEnv.toString())).securityProtocol())
                .isEqualTo("SASL_SSL");
        assertThat(connection(Map.of(KafkaOption.CONFIG_ENV, fromEnv.toString()), "--kafka", "other:9093")
                .properties()).containsEntry("bootstrap.servers", "other:9093").containsEntry("sasl.jaas.config", JAAS);
        assertThat(connection(Map.of(KafkaOption.CONFIG_ENV, fromEnv.toString()), "--kafka-config",
                fromOption.toString()).properties()).as("the option wins")
                .isEqualTo(Map.of("bootstrap.servers", "option:9092"));
        assertThat(connection(Map.of(KafkaOption.CONFIG_ENV, " "), "--kafka", "b:9092").properties())
                .as("set but blank: not set").isEqualTo(Map.of("bootstrap.servers", "b:9092"));
    }

    @Test
    void relativePathsAreTakenFromWhereTheCommandWasTyped() throws IOException {
        Path typedIn = Files.createDirectories(dir.resolve("caller"));
        Files.writeString(typedIn.resolve("keystore.p12"), "key");
        Files.writeString(typedIn.resolve("client.properties"),
                "bootstrap.servers=b:9093\nsecurity.protocol=SSL\nssl.keystore.location=keystore.p12\n");
        System.setProperty(CallerDir.PROPERTY, typedIn.toString());

        KafkaConnection kafka = connection("--kafka-config", "client.properties");

        assertThat(kafka.properties()).containsEntry("ssl.keystore.location", typedIn.resolve("keystore.p12").toString());
    }

    @Test
    void aBadFileIsAUsageErrorNamingTheFileAndWhatIsWrong() throws IOException {
        Path missing = dir.resolve("missing.properties");
        Path noServers = Files.writeString(dir.resolve("no-servers.properties"), "security.protocol=SSL\n");
        Path badProtocol = Files.writeString(dir.resolve("bad-protocol.properties"),
                "bootstrap.servers=b:9092\nsecurity.protocol=SASL_SSLL\n");
        Path noStore = Files.writeString(dir.resolve("no-store.properties"),
                "bootstrap.servers=b:9092\nsecurity.protocol=SSL\nssl.truststore.location=" + dir.resolve("nope.p12")
                        + "\n");

        assertThatThrownBy(() -> connection("--kafka-config", missing.toString()))
                .isInstanceOf(ParameterException.class)
                .hasMessage("--kafka-config: the Kafka client properties file " + missing + " does not exist");
        assertThatThrownBy(() -> connection(Map.of(KafkaOption.CONFIG_ENV, missing.toString())))
                .isInstanceOf(ParameterException.class)
                .hasMessage("$STOWAGE_KAFKA_CONFIG: the Kafka client properties file " + missing + " does not exist");
        assertThatThrownBy(() -> connection("--kafka-config", noServers.toString()))
                .isInstanceOf(ParameterException.class)
                .hasMessage("--kafka-config: the Kafka client properties " + noServers + " name no bootstrap.servers");
        assertThatThrownBy(() -> connection("--kafka-config", badProtocol.toString()))
                .isInstanceOf(ParameterException.class)
                .hasMessageStartingWith("--kafka-config: the Kafka client properties " + badProtocol + ": ")
                .hasMessageContaining("SASL_SSLL").hasMessageContaining("security.protocol");
        assertThatThrownBy(() -> connection("--kafka-config", noStore.toString()))
                .isInstanceOf(ParameterException.class)
                .hasMessage("--kafka-config: the Kafka client properties " + noStore + ": ssl.truststore.location names "
                        + dir.resolve("nope.p12") + ", which is not a readable file");
        assertThatThrownBy(() -> connection("--kafka", " "))
                .isInstanceOf(ParameterException.class).hasMessage("--kafka: no bootstrap servers given");
    }

    @Test
    void aSaslProtocolWithoutItsLoginIsAUsageErrorSayingTheSaslLoginIsMissing() throws IOException {
        Path noLogin = Files.writeString(dir.resolve("no-login.properties"),
                "bootstrap.servers=b:9093\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");

        assertThatThrownBy(() -> connection("--kafka-config", noLogin.toString()))
                .isInstanceOf(ParameterException.class)
                .hasMessageStartingWith("--kafka-config: the Kafka client properties " + noLogin
                        + ": security.protocol is SASL_SSL, which logs in with SASL, but there is no sasl.jaas.config");
    }

    @Test
    void everyCommandThatReadsTheBusRefusesABadFileWithExitCode2BeforeAnythingIsPublished() throws IOException {
        Path missing = dir.resolve("missing.properties");
        Path noServers = Files.writeString(dir.resolve("no-servers.properties"), "security.protocol=SSL\n");
        // A closed port: a command that got as far as the broker would say "not reachable", with exit code 1.
        List<String> badFiles = List.of("--kafka-config " + missing + " --kafka 127.0.0.1:" + closedPort(),
                "--kafka-config " + noServers);
        List<String> commands = List.of("status", "events tail", "storage list --cluster pg1",
                "backup list --cluster pg1", "backup create --cluster pg1",
                "restore --cluster pg1 --storage local-fs", "resync --cluster pg1");
        for (String command : commands) {
            for (String badFile : badFiles) {
                String line = command + " --home " + dir.resolve("home") + " " + badFile;

                Cli.Result result = Cli.run(line.split(" "));

                assertThat(result.exitCode()).as(line + ": " + result.err()).isEqualTo(CommandLine.ExitCode.USAGE);
                assertThat(result.err()).as(line).startsWith("--kafka-config: the Kafka client properties")
                        .doesNotContain("not reachable", "Exception");
            }
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
