package io.stowage.config.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;

/** The packaged config-service, run as its own process the way `stowage up` runs it. */
final class ConfigServiceProcess implements AutoCloseable {
    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private final String bootstrapServers;
    private final Path folder;
    private final Path log;
    private final String instanceId;
    private Process process;
    private int port;

    ConfigServiceProcess(String bootstrapServers, Path folder, Path log, String instanceId) {
        this.bootstrapServers = bootstrapServers;
        this.folder = folder;
        this.log = log;
        this.instanceId = instanceId;
    }

    ConfigServiceProcess start() throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run the tests with `verify`");
        }
        port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        process = new ProcessBuilder(List.of(java, "-Xmx256m",
                "-Dkafka.bootstrap.servers=" + bootstrapServers,
                "-Dstowage.config.folder=" + folder,
                "-Dstowage.instance-id=" + instanceId,
                "-Dquarkus.http.port=" + port,
                "-jar", JAR.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build();
        await("config-service ready (log: " + log + ")").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .failFast("config-service exited", () -> !process.isAlive())
                .until(() -> http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        return this;
    }

    /** The metrics page, for the apply timer. */
    String metrics() throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** SIGTERM and wait: a clean shutdown. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    /** SIGKILL: a crash. */
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
