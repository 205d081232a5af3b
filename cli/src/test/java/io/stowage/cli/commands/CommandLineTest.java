package io.stowage.cli.commands;

import io.stowage.cli.Cli;
import io.stowage.cli.Stowage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command tree and its behaviour without a broker: help, version, and saying clearly that Kafka is not there. */
class CommandLineTest {
    @TempDir
    Path home;

    @Test
    void everyCommandHasHelpAndVersion() {
        List<List<String>> paths = new ArrayList<>();
        collect(Stowage.commandLine(), new ArrayList<>(), paths);
        assertThat(paths).extracting(p -> String.join(" ", p)).contains("", "up", "down", "status", "demo", "events",
                "events tail", "storage", "storage list", "backup", "backup create", "restore");

        for (List<String> path : paths) {
            List<String> help = new ArrayList<>(path);
            help.add("--help");
            Cli.Result result = Cli.run(help.toArray(String[]::new));
            assertThat(result.exitCode()).as("%s --help", path).isZero();
            assertThat(result.out()).as("%s --help", path).startsWith("Usage: stowage");

            List<String> version = new ArrayList<>(path);
            version.add("--version");
            assertThat(Cli.run(version.toArray(String[]::new)).out()).as("%s --version", path)
                    .matches("stowage \\d+\\.\\d+\\.\\d+.*\\s*");
        }
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
        paths.add(path);
        command.getSubcommands().forEach((name, sub) -> {
            List<String> subPath = new ArrayList<>(path);
            subPath.add(name);
            collect(sub, subPath, paths);
        });
    }

    @Test
    void statusWorksAndSaysSoWhenTheStackIsDown() throws IOException {
        Cli.Result result = Cli.run("status", "--home", home.toString(), "--kafka", "127.0.0.1:" + closedPort());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("kafka            stopped", "config-service", "not reachable");
    }

    @Test
    void readingTheBusWithoutABrokerFailsWithAClearMessage() throws IOException {
        String kafka = "127.0.0.1:" + closedPort();

        Cli.Result tail = Cli.run("events", "tail", "--home", home.toString(), "--kafka", kafka, "--timeout", "1s");
        Cli.Result list = Cli.run("storage", "list", "--home", home.toString(), "--kafka", kafka, "--cluster", "pg1");

        for (Cli.Result result : List.of(tail, list)) {
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err()).startsWith("stowage: Kafka at " + kafka + " is not reachable")
                    .doesNotContain("Exception");
        }
    }

    @Test
    void storageListNeedsACluster() {
        Cli.Result result = Cli.run("storage", "list");

        assertThat(result.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(result.err()).contains("Missing required option: '--cluster=CLUSTER'");
    }

    @Test
    void backupCreateNeedsAClusterAndAnIdThatCanNameAFolder() throws IOException {
        Cli.Result noCluster = Cli.run("backup", "create");
        assertThat(noCluster.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(noCluster.err()).contains("Missing required option: '--cluster=CLUSTER'");

        // Refused before any broker is asked: the closed port is never tried.
        String kafka = "127.0.0.1:" + closedPort();
        for (String id : List.of("../etc", ".hidden", "a/b", "x".repeat(129))) {
            Cli.Result badId = Cli.run("backup", "create", "--kafka", kafka, "--cluster", "pg1", "--backup-id", id);
            assertThat(badId.exitCode()).as(id).isEqualTo(1);
            assertThat(badId.err()).as(id).startsWith("stowage: --backup-id must be letters, digits");
        }
        Cli.Result noTime = Cli.run("backup", "create", "--kafka", kafka, "--cluster", "pg1", "--wait", "--timeout", "0s");
        assertThat(noTime.err()).startsWith("stowage: --timeout must be more than 0");

        Cli.Result noBroker = Cli.run("backup", "create", "--kafka", kafka, "--cluster", "pg1");
        assertThat(noBroker.exitCode()).isEqualTo(1);
        assertThat(noBroker.err()).startsWith("stowage: Kafka at " + kafka + " is not reachable");
    }

    @Test
    void downWithNothingRunningSaysSo() {
        Cli.Result result = Cli.run("down", "--home", home.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualToIgnoringNewLines("Nothing was running.");
    }

    @Test
    void durationsAreTypedAsPeopleTypeThem() {
        DurationConverter converter = new DurationConverter();

        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(converter.convert("PT2S")).isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> converter.convert("soon")).hasMessageContaining("not a duration");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
