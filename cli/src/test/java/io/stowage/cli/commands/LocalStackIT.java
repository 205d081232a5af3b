package io.stowage.cli.commands;

import io.stowage.cli.Cli;
import io.stowage.cli.stack.ProjectDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code up}, {@code status} and {@code down} for real, with the broker only: the project folder here has no
 * service jars, so no service is started (config-service is tested in its own module).
 */
class LocalStackIT {
    @TempDir
    Path home;
    @TempDir
    Path project;

    @BeforeEach
    void noServicesBuilt() {
        System.setProperty(ProjectDir.PROPERTY, project.toString());
    }

    @AfterEach
    void stopEverything() {
        Cli.run("down", "--home", home.toString());
        System.clearProperty(ProjectDir.PROPERTY);
    }

    @Test
    void upStartsTheBrokerAndTopicsOnceStatusFindsItAndDownStopsIt() throws IOException {
        int port = freePort();

        Cli.Result up = Cli.run("up", "--home", home.toString(), "--kafka-port", Integer.toString(port));

        assertThat(up.exitCode()).as(up.err()).isZero();
        assertThat(up.lines()).contains("Kafka broker: ready at 127.0.0.1:" + port + " (pid "
                + Files.readString(home.resolve("kafka/broker.pid")).strip() + ")");
        assertThat(up.out()).contains("Topics: created stowage.backup, stowage.catalog, stowage.rejected",
                "config-service: not built yet, skipped", "The local stack is up.", home.resolve("config").toString());
        assertThat(home.resolve("secrets")).isDirectory();
        assertThat(home.resolve("logs/kafka.log")).isSymbolicLink();
        long pid = Long.parseLong(Files.readString(home.resolve("kafka/broker.pid")).strip());

        Cli.Result again = Cli.run("up", "--home", home.toString(), "--kafka-port", Integer.toString(port));

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("Kafka broker: already running at 127.0.0.1:" + port + " (pid " + pid + ")",
                "Topics: all 7 present");

        // No --kafka: status finds the broker on the port up gave it.
        Cli.Result status = Cli.run("status", "--home", home.toString());

        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).containsPattern("kafka +running +" + pid + " +127\\.0\\.0\\.1:" + port)
                .contains("Kafka at 127.0.0.1:" + port + ": reachable", "config: none");

        Cli.Result down = Cli.run("down", "--home", home.toString());

        assertThat(down.exitCode()).as(down.err()).isZero();
        assertThat(down.lines()).containsExactly("Kafka broker: stopped");
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(Cli.run("status", "--home", home.toString()).out()).contains("kafka            stopped");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
