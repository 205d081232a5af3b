package io.stowage.localstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class QuarkusKafkaConfigTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"stowage-service\" password=\"p=w ${x}\";";

    @TempDir
    Path dir;

    @Test
    void theAddressGoesToTheCommandLineAndEverythingElseToAnOwnerOnlyFileOfKafkaKeys() throws IOException {
        Path file = dir.resolve("run/config-service.kafka.properties");

        Map<String, String> system = QuarkusKafkaConfig.write(Map.of("bootstrap.servers", "127.0.0.1:9093",
                "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", JAAS), file);

        assertThat(system).containsExactly(Map.entry("kafka.bootstrap.servers", "127.0.0.1:9093"),
                Map.entry("quarkus.config.locations", file.toUri().toString()));
        assertThat(String.join(" ", system.values())).doesNotContain("p=w", "SASL", "jaas");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Properties loaded = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            loaded.load(in);
        }
        // \${ is how Quarkus reads a literal ${: the password reaches the client as it is.
        assertThat(loaded).containsOnly(Map.entry("config_ordinal", "275"),
                Map.entry("kafka.security.protocol", "SASL_SSL"), Map.entry("kafka.sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("kafka.sasl.jaas.config", JAAS.replace("${", "\\${")));
    }

    @Test
    void anAddressAloneNeedsNoFileAndRemovesAnEarlierOne() throws IOException {
        Path file = dir.resolve("service.kafka.properties");
        Files.writeString(file, "kafka.security.protocol=SSL\n");

        Map<String, String> system = QuarkusKafkaConfig.write(Map.of("bootstrap.servers", "127.0.0.1:9092"), file);

        assertThat(system).containsExactly(Map.entry("kafka.bootstrap.servers", "127.0.0.1:9092"));
        assertThat(file).doesNotExist();
    }
}
