package io.stowage.cli.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LocalBrokerTest {
    @TempDir
    Path dir;

    @Test
    void theAddressComesFromTheLastStartsServerProperties() throws IOException {
        StowageHome home = new StowageHome(dir).ensureLayout();
        Files.writeString(home.kafka().resolve("server.properties"),
                "listeners=PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:40001\n"
                        + "advertised.listeners=PLAINTEXT://127.0.0.1:19092\n");

        LocalBroker broker = new LocalBroker(home);

        assertThat(broker.address()).contains("127.0.0.1:19092");
        assertThat(broker.isRunning()).isFalse();
        assertThat(broker.addressOrDefault()).as("not running: the default").isEqualTo("127.0.0.1:9092");
    }

    @Test
    void aBrokerNeverStartedHereHasNoAddressAndNothingToStop() {
        LocalBroker broker = new LocalBroker(new StowageHome(dir.resolve("fresh")));

        assertThat(broker.address()).isEmpty();
        assertThat(broker.stop()).isFalse();
        assertThat(broker.pid()).isEmpty();
    }

    @Test
    void theStateFolderHasOneFolderPerConcern() {
        StowageHome home = new StowageHome(dir).ensureLayout();

        assertThat(home.config()).isDirectory().isEqualTo(dir.resolve("config"));
        assertThat(home.secrets()).isDirectory();
        assertThat(home.kafka()).isDirectory();
        assertThat(home.logs()).isDirectory();
        assertThat(home.run()).isDirectory();
        assertThat(home.log("config-service")).isEqualTo(dir.resolve("logs/config-service.log"));
        assertThat(home.pidFile("config-service")).isEqualTo(dir.resolve("run/config-service.pid"));
    }
}
