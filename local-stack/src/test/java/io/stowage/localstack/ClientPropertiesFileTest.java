package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientPropertiesFileTest {
    private static final Map<String, String> PROPERTIES = Map.of(
            "bootstrap.servers", "127.0.0.1:9092",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"stowage-service\" password=\"a=b:c\";",
            "ssl.truststore.location", "/tmp/caf\u00e9 dir/ca.pem",
            "odd", " leading space, back\\slash");

    @TempDir
    Path tmp;

    @Test
    void whatIsWrittenIsReadBackAndKafkaToolsReadItTheSame() throws IOException {
        Path file = tmp.resolve("client.properties");
        ClientPropertiesFile.write(PROPERTIES, file, "a comment\nover two lines");

        assertThat(ClientPropertiesFile.read(file)).isEqualTo(PROPERTIES);
        // Kafka's tools (Utils.loadProps) read an InputStream: ISO-8859-1.
        Properties asKafkaReadsIt = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            asKafkaReadsIt.load(in);
        }
        assertThat(asKafkaReadsIt).containsExactlyInAnyOrderEntriesOf(PROPERTIES);
        assertThat(Files.readAllLines(file)).startsWith("# a comment", "# over two lines")
                .contains("sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"stowage-service\" password=\"a=b:c\";");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}
