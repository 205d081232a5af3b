package io.stowage.systemtests;

import io.stowage.localstack.QuarkusKafkaConfig;
import io.stowage.localstack.ServiceProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged services ({@code <module>/target/quarkus-app/quarkus-run.jar}), each its own process, configured as
 * the local stack configures them: the broker's address on the command line, every other Kafka client setting in an
 * owner-only file ({@link QuarkusKafkaConfig}), a config folder, a secrets folder, a WAL spool.
 */
final class StowageServices implements AutoCloseable {
    static final String CONFIG = "config-service";
    static final String BACKUP = "backup-service";
    static final String RESYNC = "resync-service";
    static final String RESTORE = "restore-service";
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final Path work;
    private final Map<String, String> kafka;
    private final Map<String, ServiceProcess> running = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> extra = new HashMap<>();
    private final Map<String, Map<String, String>> logins = new HashMap<>();

    /**
     * @param work  where their folders, Kafka files and logs go
     * @param kafka the Kafka client properties every service connects with (it may hold a password)
     */
    StowageServices(Path work, Map<String, String> kafka) throws IOException {
        this.work = work;
        this.kafka = kafka;
        Files.createDirectories(configFolder());
        Files.createDirectories(secretsFolder());
    }

    Path configFolder() {
        return work.resolve("config");
    }

    Path secretsFolder() {
        return work.resolve("secrets");
    }

    Path log(String service) {
        return work.resolve("logs").resolve(service + ".log");
    }

    /** The Kafka client properties one service connects with, instead of the stack's (its own user). */
    StowageServices withKafka(String service, Map<String, String> kafka) {
        logins.put(service, kafka);
        return this;
    }

    /** More settings for a service, on top of the stack's (call before starting it). */
    StowageServices with(String service, Map<String, String> settings) {
        extra.computeIfAbsent(service, s -> new HashMap<>()).putAll(settings);
        return this;
    }

    /** Starts the services at once (two cores start four JVMs faster side by side) and waits until all are ready. */
    StowageServices start(String... services) throws IOException {
        List<ServiceProcess> launched = new ArrayList<>();
        for (String service : services) {
            launched.add(launch(service, service + "-it"));
        }
        launched.forEach(s -> s.awaitReady(READY_TIMEOUT));
        return this;
    }

    /** Starts one more instance of a service and returns at once, before it answers. */
    ServiceProcess launch(String service, String instanceId) throws IOException {
        Map<String, String> properties = new HashMap<>(settings(service));
        properties.putAll(extra.getOrDefault(service, Map.of()));
        properties.putAll(QuarkusKafkaConfig.write(logins.getOrDefault(service, kafka),
                work.resolve("run").resolve(instanceId + ".kafka.properties")));
        properties.put("stowage.instance-id", instanceId);
        properties.put("quarkus.http.host", "127.0.0.1");
        Files.createDirectories(log(service).getParent());
        ServiceProcess process = new ServiceProcess(jar(service), properties, log(service)).launch();
        running.put(instanceId, process);
        return process;
    }

    ServiceProcess get(String service) {
        return running.get(service + "-it");
    }

    /** What every service wrote to its log so far. */
    String logs() throws IOException {
        StringBuilder all = new StringBuilder();
        for (String service : List.of(CONFIG, BACKUP, RESYNC, RESTORE)) {
            if (Files.exists(log(service))) {
                all.append(Files.readString(log(service)));
            }
        }
        return all.toString();
    }

    private Map<String, String> settings(String service) {
        String secrets = secretsFolder().toString();
        return switch (service) {
            case CONFIG -> Map.of("stowage.config.folder", configFolder().toString());
            case BACKUP -> Map.of("stowage.secrets-folder", secrets,
                    "stowage.wal.spool-folder", work.resolve("wal-spool").toString());
            case RESYNC -> Map.of("stowage.secrets-folder", secrets);
            case RESTORE -> Map.of("stowage.secrets-folder", secrets, "stowage.restore.stall-timeout", "10s");
            default -> throw new IllegalArgumentException("no service " + service);
        };
    }

    /** The tests run in system-tests/; the services' modules are beside it. */
    static Path jar(String service) {
        return Path.of("..", service, "target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().normalize();
    }

    @Override
    public void close() {
        running.values().forEach(ServiceProcess::close);
    }
}
