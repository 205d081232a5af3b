package io.stowage.localstack;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;


/**
 * A packaged Quarkus service ({@code target/quarkus-app/quarkus-run.jar}) run as its own process, the way the local
 * stack runs it, for tests and benchmarks: started with system properties, ready when its readiness check says so.
 */
public final class ServiceProcess implements AutoCloseable {
    private final Path jar;
    private final Map<String, String> properties;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;
    private int port;

    /**
     * @param properties system properties ({@code -Dkey=value}); {@code quarkus.http.port} is chosen here
     * @param log        where the service's output goes (appended)
     */
    public ServiceProcess(Path jar, Map<String, String> properties, Path log) {
        this.jar = jar;
        this.properties = properties;
        this.log = log;
    }

    /** Starts the service and waits (up to a minute) until it is ready. */
    public ServiceProcess start() throws IOException {
        launch();
        return awaitReady(Duration.ofSeconds(60));
    }

    /**
     * Starts the service and returns at once, before it answers: for a test of what it reports while it starts
     * ({@link #fetch}), then {@link #awaitReady}.
     */
    public ServiceProcess launch() throws IOException {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build it first (./mvnw package)");
        }
        port = freePort();
        List<String> command = new ArrayList<>(List.of(JavaCommand.javaBinary(), "-Xmx256m"));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-Dquarkus.http.port=" + port);
        command.addAll(List.of("-jar", jar.toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        // A failed test or an interrupted benchmark must not leave the service running.
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        return this;
    }

    /** Waits until the launched service's readiness check answers 200; kills it when it does not in time. */
    public ServiceProcess awaitReady(Duration timeout) {
        HttpRequest ready = HttpRequest.newBuilder(uri("/q/health/ready")).build();
        try {
            boolean up = Poll.until(timeout, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(jar.getFileName() + " exited with " + process.exitValue()
                            + "; see " + log);
                }
                try {
                    return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200
                            ? Optional.of(true) : Optional.empty();
                } catch (IOException notYet) {
                    return Optional.empty();
                }
            }).isPresent();
            if (!up) {
                kill();
                throw new IllegalStateException(jar.getFileName() + " was not ready within " + timeout.toSeconds()
                        + " s; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new IllegalStateException("interrupted while starting " + jar.getFileName(), e);
        }
        return this;
    }

    /** GET a path of the service's HTTP port, status and body: a health check answers 503 when DOWN. */
    public HttpResponse<String> fetch(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The HTTP port it was given (health, metrics). */
    public int httpPort() {
        return port;
    }

    /** GET a path of the service's HTTP port (metrics, health) as text. */
    public String get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** SIGTERM, and wait: a clean shutdown. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    /** SIGKILL: a crash. */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The service's process id, for measuring its CPU and memory from /proc. */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException(jar.getFileName() + " has not been started");
        }
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        kill();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
