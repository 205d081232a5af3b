package io.stowage.cli.commands;

import io.stowage.cli.Cli;
import io.stowage.cli.stack.ProjectDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.Reader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code up}, {@code status} and {@code down} for real, with the broker and the S3 server: the project folder here
 * holds S3Proxy's jar (a link to the one this build made) but no service jars, so no service is started
 * (config-service and backup-service are tested in their own modules).
 */
class LocalStackIT {
    /** The jar the s3proxy-server module gathered; the tests run in cli/, so it is one folder up. */
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
    void upStartsTheBrokerTopicsAndS3OnceStatusFindsThemAndDownStopsThem() throws IOException {
        int port = freePort();
        int s3Port = freePort();

        Cli.Result up = Cli.run("up", "--home", home.toString(), "--kafka-port", Integer.toString(port),
                "--s3-port", Integer.toString(s3Port));

        assertThat(up.exitCode()).as(up.err()).isZero();
        assertThat(up.lines()).contains("Kafka broker: ready at 127.0.0.1:" + port + " (pid "
                + Files.readString(home.resolve("kafka/broker.pid")).strip() + ")");
        long s3Pid = Long.parseLong(Files.readString(home.resolve("s3/s3proxy.pid")).strip());
        assertThat(up.lines()).contains("S3 server: ready at http://127.0.0.1:" + s3Port + " (pid " + s3Pid + ", log "
                        + home.resolve("s3/s3proxy.log") + ")",
                "S3 server: bucket stowage, key pair in the secret local-s3 (" + home.resolve("secrets/local-s3") + ")");
        assertThat(up.out()).contains("Topics: created stowage.backup, stowage.catalog, stowage.rejected",
                "config-service: not built yet, skipped", "The local stack is up.", home.resolve("config").toString());
        assertThat(up.lines()).anySatisfy(l -> assertThat(l).contains("S3 server", "http://127.0.0.1:" + s3Port,
                "bucket stowage", "secret local-s3"));
        assertThat(home.resolve("secrets")).isDirectory();
        assertThat(home.resolve("logs/kafka.log")).isSymbolicLink();
        assertThat(home.resolve("s3/data/stowage")).isDirectory();
        long pid = Long.parseLong(Files.readString(home.resolve("kafka/broker.pid")).strip());

        // The secret holds the server's key pair, and it opens the bucket.
        Properties kept = new Properties();
        try (Reader in = Files.newBufferedReader(home.resolve("s3/credentials.properties"))) {
            kept.load(in);
        }
        String accessKeyId = Files.readString(home.resolve("secrets/local-s3/AWS_ACCESS_KEY_ID"));
        String secretKey = Files.readString(home.resolve("secrets/local-s3/AWS_SECRET_ACCESS_KEY"));
        assertThat(accessKeyId).isEqualTo(kept.getProperty("access-key-id"));
        assertThat(secretKey).isEqualTo(kept.getProperty("secret-access-key"));
        try (S3Client s3 = s3Client(URI.create("http://127.0.0.1:" + s3Port), accessKeyId, secretKey)) {
            s3.putObject(b -> b.bucket("stowage").key("stowage/it/hello.txt"), RequestBody.fromString("hello"));
            assertThat(s3.listObjectsV2(b -> b.bucket("stowage").prefix("stowage/")).contents())
                    .extracting(S3Object::key).containsExactly("stowage/it/hello.txt");
        }
        // S3Proxy keeps an object as a file, its key the path: what `demo` lists.
        assertThat(home.resolve("s3/data/stowage/stowage/it/hello.txt")).hasContent("hello");

        Cli.Result again = Cli.run("up", "--home", home.toString(), "--kafka-port", Integer.toString(port),
                "--s3-port", Integer.toString(s3Port));

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("Kafka broker: already running at 127.0.0.1:" + port + " (pid " + pid + ")",
                "Topics: all 7 present", "S3 server: already running at http://127.0.0.1:" + s3Port + " (pid "
                        + s3Pid + ")");

        // No --kafka: status finds the broker on the port up gave it.
        Cli.Result status = Cli.run("status", "--home", home.toString());

        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).containsPattern("kafka +running +" + pid + " +127\\.0\\.0\\.1:" + port)
                .containsPattern("s3 \\(S3Proxy\\) +running +" + s3Pid + " +http://127\\.0\\.0\\.1:" + s3Port)
                .contains("Kafka at 127.0.0.1:" + port + " (PLAINTEXT): reachable", "config: none")
                .doesNotContain("postgres (demo)", secretKey);

        Cli.Result down = Cli.run("down", "--home", home.toString());

        assertThat(down.exitCode()).as(down.err()).isZero();
        assertThat(down.lines()).containsExactly("S3 server: stopped (pid " + s3Pid + ")", "Kafka broker: stopped");
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(ProcessHandle.of(s3Pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(Cli.run("status", "--home", home.toString()).out()).contains("kafka            stopped")
                .containsPattern("s3 \\(S3Proxy\\) +stopped");
        // The objects stay, as every other state does.
        assertThat(home.resolve("s3/data/stowage/stowage/it/hello.txt")).exists();
    }

    private static S3Client s3Client(URI endpoint, String accessKeyId, String secretKey) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretKey)))
                .forcePathStyle(true)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
