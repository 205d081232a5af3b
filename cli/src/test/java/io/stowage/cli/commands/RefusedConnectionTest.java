package io.stowage.cli.commands;

import io.stowage.cli.Cli;
import io.stowage.cli.TlsListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real Kafka clients facing a TLS listener they do not trust: the client properties are fine, the handshake fails.
 * Every command ends with one line that says so and where to look, never a stack trace; status still shows the rest.
 */
class RefusedConnectionTest {
    private static final String REFUSED = "stowage: the TLS handshake with Kafka failed: SSL handshake failed (";

    @TempDir
    Path dir;

    private TlsListener listener;
    private Path clientProperties;

    @BeforeEach
    void untrustedListener() throws Exception {
        listener = TlsListener.start(dir);
        // No trust store: the JDK's CAs, which did not sign the listener's certificate.
        clientProperties = Files.writeString(dir.resolve("client.properties"),
                "bootstrap.servers=" + listener.address() + "\nsecurity.protocol=SSL\n");
    }

    @AfterEach
    void stop() throws Exception {
        listener.close();
    }

    @Test
    void readingTheBusEndsWithTheReasonNotAStackTrace() {
        Cli.Result tail = Cli.run("events", "tail", "--home", dir.toString(), "--kafka-config",
                clientProperties.toString(), "--timeout", "30s");
        Cli.Result list = Cli.run("storage", "list", "--home", dir.toString(), "--kafka-config",
                clientProperties.toString(), "--cluster", "pg1");

        for (Cli.Result result : new Cli.Result[] {tail, list}) {
            assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
            assertThat(result.err()).startsWith(REFUSED).contains("Check the trust store")
                    .doesNotContain("\tat ", "STOWAGE_DEBUG");
        }
    }

    @Test
    void publishingARequestEndsWithTheReasonNotAStackTrace() {
        Cli.Result result = Cli.run("backup", "create", "--home", dir.toString(), "--kafka-config",
                clientProperties.toString(), "--cluster", "pg1");

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.err()).startsWith(REFUSED).doesNotContain("\tat ", "STOWAGE_DEBUG");
        assertThat(result.out()).as("nothing was requested").doesNotContain("Requested backup");
    }

    @Test
    void statusShowsTheProcessesAndWhyTheBusCannotBeRead() {
        Cli.Result result = Cli.run("status", "--home", dir.toString(), "--kafka-config", clientProperties.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("config-service", "Kafka at " + listener.address() + " (SSL): reachable",
                "  " + REFUSED.substring("stowage: ".length()));
    }
}
