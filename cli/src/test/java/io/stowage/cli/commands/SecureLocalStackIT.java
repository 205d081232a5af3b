package io.stowage.cli.commands;

import io.stowage.cli.Cli;
import io.stowage.cli.stack.ProjectDir;
import io.stowage.localstack.BrokerUser;
import io.stowage.localstack.ClientPropertiesFile;
import io.stowage.localstack.KafkaBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code up --secure} for real: the broker in a secured shape, its topics set up as the admin, and every later
 * command finding it with no option, as the service user. As in {@link LocalStackIT} only S3Proxy is built here, so no
 * service starts (the system-tests module runs the packaged services against a secured broker).
 */
class SecureLocalStackIT {
    private static final Path S3PROXY_JAR = Path.of("..", "s3proxy-server", "target", "s3proxy", "s3proxy.jar")
            .toAbsolutePath().normalize();

    @TempDir
    Path home;
    @TempDir
    Path project;

    @BeforeEach
    void onlyS3ProxyBuilt() throws IOException {
        assertThat(S3PROXY_JAR).as("S3Proxy's jar: build the s3proxy-server module first").isRegularFile();
        Path jar = project.resolve("s3proxy-server/target/s3proxy/s3proxy.jar");
        Files.createDirectories(jar.getParent());
        Files.createSymbolicLink(jar, S3PROXY_JAR);
        System.setProperty(ProjectDir.PROPERTY, project.toString());
    }

    @AfterEach
    void stopEverything() {
        Cli.run("down", "--home", home.toString());
        System.clearProperty(ProjectDir.PROPERTY);
    }

    @Test
    void upSecureRunsSaslSslAndEveryLaterCommandConnectsAsTheServiceUserWithNoOption() throws IOException {
        String port = Integer.toString(freePort());
        String[] up = {"up", "--secure", "--home", home.toString(), "--kafka-port", port, "--s3-port",
                Integer.toString(freePort())};

        Cli.Result started = Cli.run(up);

        assertThat(started.exitCode()).as(started.err()).isZero();
        Path kafka = home.resolve("kafka");
        Path serviceFile = KafkaBroker.clientPropertiesFile(kafka, BrokerUser.SERVICE);
        assertThat(started.out()).contains("Kafka broker: starting on 127.0.0.1:" + port + ", SASL_SSL...",
                "Kafka broker: SASL_SSL (SCRAM-SHA-512 logins over TLS, ACLs on); topics are set up as stowage-admin,"
                        + " the services and stowage commands connect as stowage-service (" + serviceFile + ")",
                "Topics: created stowage.backup, stowage.catalog, stowage.rejected",
                "other stowage commands find it; other clients need the client properties " + serviceFile);
        Map<String, String> service = ClientPropertiesFile.read(serviceFile);
        assertThat(service).containsEntry("security.protocol", "SASL_SSL").containsKey("sasl.jaas.config");
        String password = service.get("sasl.jaas.config").replaceAll(".*password=\"([^\"]*)\".*", "$1");
        assertThat(password).isNotBlank().doesNotContain("password=");

        Cli.Result status = Cli.run("status", "--home", home.toString());

        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("Kafka at 127.0.0.1:" + port + " (SASL_SSL): reachable", "config: none")
                .doesNotContain(password);

        // A request published and read back as stowage-service, found with no option: its ACLs let it.
        Cli.Result backup = Cli.run("backup", "create", "--home", home.toString(), "--cluster", "secure-it",
                "--backup-id", "b-secure");
        assertThat(backup.exitCode()).as(backup.err()).isZero();
        Cli.Result tail = Cli.run("events", "tail", "--home", home.toString(), "--cluster", "secure-it",
                "--from-beginning", "--limit", "1", "--timeout", "30s");
        assertThat(tail.exitCode()).as(tail.err()).isZero();
        assertThat(tail.out()).contains("backup.requested", "b-secure").doesNotContain(password);
        assertThat(String.join(" ", started.out(), status.out(), backup.out(), tail.out(), started.err(), status.err(),
                backup.err(), tail.err())).doesNotContain(password);

        // Asked for PLAINTEXT while it runs SASL_SSL: said so, and nothing changes.
        long pid = Long.parseLong(Files.readString(kafka.resolve("broker.pid")).strip());
        Cli.Result plain = Cli.run("up", "--home", home.toString(), "--kafka-port", port);

        assertThat(plain.exitCode()).isEqualTo(1);
        assertThat(plain.err()).contains("the local Kafka broker runs SASL_SSL (by `stowage up --secure`) and cannot"
                + " be PLAINTEXT", "Run `stowage up --secure` to start the rest of the stack", "`stowage down`, then"
                + " remove " + kafka);
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isPresent();

        // Idempotent in its own shape.
        Cli.Result again = Cli.run(up);
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("Kafka broker: already running at 127.0.0.1:" + port + " (pid " + pid + ")",
                "Topics: all 7 present");

        Cli.Result down = Cli.run("down", "--home", home.toString());
        assertThat(down.exitCode()).as(down.err()).isZero();
        assertThat(down.out()).contains("Kafka broker: stopped");

        // Stopped, it keeps its shape: a plain up says how to go on.
        Cli.Result afterDown = Cli.run("up", "--home", home.toString(), "--kafka-port", port);
        assertThat(afterDown.exitCode()).isEqualTo(1);
        assertThat(afterDown.err()).contains("the local Kafka broker was made SASL_SSL (by `stowage up --secure`)",
                "Run `stowage up --secure`, or remove " + kafka);
        assertThat(Cli.run("status", "--home", home.toString()).out()).contains("kafka            stopped");
    }

    @Test
    void upSecureMtlsRunsMutualTlsAndStatusConnectsWithTheServiceUsersCertificate() throws IOException {
        String port = Integer.toString(freePort());

        Cli.Result started = Cli.run("up", "--secure=mtls", "--home", home.toString(), "--kafka-port", port,
                "--s3-port", Integer.toString(freePort()));

        assertThat(started.exitCode()).as(started.err()).isZero();
        assertThat(started.out()).contains("Kafka broker: MTLS (TLS with client certificates, ACLs on)");
        Cli.Result status = Cli.run("status", "--home", home.toString());
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("Kafka at 127.0.0.1:" + port + " (SSL): reachable", "config: none");
    }

    @Test
    void anUnknownShapeIsAUsageError() {
        Cli.Result result = Cli.run("up", "--secure=kerberos", "--home", home.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("'kerberos' is not a secured shape: sasl_ssl", "mtls");
        assertThat(home.resolve("kafka")).doesNotExist();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
