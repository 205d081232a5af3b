package io.stowage.systemtests;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stowage.localstack.SharedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The services' images as far as they can be tested here (building one needs a registry for the base image, which
 * these machines cannot reach): each Dockerfile's definition (non-root user, the PostgreSQL tools the service runs),
 * and its ENTRYPOINT run as a process on a folder laid out as its COPY lines lay out the image, until the service
 * answers its health endpoints.
 */
class ContainerImagesIT {
    static Path work;

    @BeforeAll
    static void start() throws IOException {
        work = Files.createTempDirectory("container-images-it");
    }

    @AfterAll
    static void stop() throws IOException {
        WorkDir.removeBulk(work);
    }

    /** A Dockerfile's instructions this test reads. */
    record Dockerfile(String from, List<String> runs, String user, String workdir, List<String[]> copies,
                      List<String> entrypoint) {
        static Dockerfile read(Path file) throws IOException {
            String text = Files.readString(file).replace("\\\n", " ");
            String from = null;
            String user = null;
            String workdir = null;
            List<String> runs = new ArrayList<>();
            List<String[]> copies = new ArrayList<>();
            List<String> entrypoint = List.of();
            for (String line : text.split("\n")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                String op = l.split("\\s+", 2)[0];
                String rest = l.substring(op.length()).strip();
                switch (op) {
                    case "FROM" -> from = rest;
                    case "RUN" -> runs.add(rest);
                    case "USER" -> user = rest;
                    case "WORKDIR" -> workdir = rest;
                    case "COPY" -> copies.add(Arrays.stream(rest.split("\\s+")).filter(w -> !w.startsWith("--"))
                            .toArray(String[]::new));
                    case "ENTRYPOINT" -> entrypoint = Arrays.asList(new ObjectMapper().readValue(rest, String[].class));
                    default -> {
                    }
                }
            }
            return new Dockerfile(from, runs, user, workdir, copies, entrypoint);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {StowageServices.CONFIG, StowageServices.BACKUP, StowageServices.RESYNC,
            StowageServices.RESTORE})
    void theImageRunsTheServiceAsItsBuildPackagedIt_nonRoot_withThePostgresToolsItUses(String service)
            throws Exception {
        Path module = Path.of("..", service).toAbsolutePath().normalize();
        Dockerfile image = Dockerfile.read(module.resolve("src/main/docker/Dockerfile.jvm"));

        assertThat(image.from()).as("a pinned base").contains(":");
        assertThat(image.user()).as("non-root, the uid the manifests run as").isEqualTo("185");
        String installs = String.join(" ", image.runs());
        switch (service) {
            case StowageServices.BACKUP -> assertThat(installs).contains("postgresql-client-15");
            case StowageServices.RESTORE -> assertThat(installs).as("a restore Job runs the restored server")
                    .contains("postgresql-15 ");
            default -> assertThat(installs).doesNotContain("postgresql");
        }

        // The image's root, as its COPY lines fill it from the module's build output.
        Path root = Files.createDirectories(work.resolve(service));
        for (String[] copy : image.copies()) {
            String source = copy[0];
            Path target = root.resolve(copy[copy.length - 1].substring(1));
            for (Path from : glob(module, source)) {
                Path to = source.endsWith("/") ? target : target.resolve(from.getFileName().toString());
                copyTree(from, to);
            }
        }
        Path deployments = root.resolve(image.workdir().substring(1));
        assertThat(deployments.resolve("quarkus-run.jar")).exists();
        assertThat(deployments.resolve("lib/main")).isDirectory();

        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        for (String word : image.entrypoint()) {
            command.add(word.equals("java") ? ProcessHandle.current().info().command().orElse("java")
                    : word.replace("/deployments", deployments.toString()));
        }
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", SharedKafka.bootstrapServers());
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("STOWAGE_INSTANCE_ID", "image-it-" + service);
        env.put("STOWAGE_SECRETS_FOLDER", Files.createDirectories(root.resolve("secrets")).toString());
        env.put("STOWAGE_CONFIG_FOLDER", Files.createDirectories(root.resolve("config")).toString());
        env.put("STOWAGE_WAL_SPOOL_FOLDER", root.resolve("spool").toString());
        Path log = work.resolve(service + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(deployments.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("STOWAGE_")
                || k.startsWith("QUARKUS_"));
        pb.environment().putAll(env);
        Process process = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> {
                assertThat(process.isAlive()).as("the entrypoint exited; see " + log).isTrue();
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            });
            // The three paths the Deployments probe.
            for (String probe : List.of("/q/health/started", "/q/health/live", "/q/health/ready")) {
                assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + probe)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).as(service + " " + probe).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains(service + " ")
                    && Files.readString(log).contains("started in"));
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static List<Path> glob(Path module, String source) throws IOException {
        String clean = source.endsWith("/") ? source.substring(0, source.length() - 1) : source;
        Path dir = module.resolve(clean).getParent();
        String name = Path.of(clean).getFileName().toString();
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + name);
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (m.matches(p.getFileName())) {
                    out.add(p);
                }
            }
        }
        assertThat(out).as("COPY " + source + " matches the build's output").isNotEmpty();
        return out;
    }

    /**
     * Lays {@code from} out at {@code to} as a COPY would, each file a link to the build's own (the four images'
     * folders would otherwise copy some 300 MB at every run).
     */
    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.createDirectories(to.getParent());
            Files.createSymbolicLink(to, from.toAbsolutePath());
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.createSymbolicLink(t, p.toAbsolutePath());
                }
            }
        }
    }
}
