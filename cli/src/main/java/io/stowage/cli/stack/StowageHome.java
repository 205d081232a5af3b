package io.stowage.cli.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The local stack's state folder ({@code .stowage/}) and its layout: the GitOps config folder, the secrets
 * folder, the broker's work directory, one log and one pid file per service, the local S3 server, the demo's
 * PostgreSQL and its filesystem storage.
 */
public record StowageHome(Path root) {
    /** Where the launcher says the state is ({@code -Dstowage.home}); without it, {@code .stowage} here. */
    public static final String PROPERTY = "stowage.home";

    public StowageHome {
        root = root.toAbsolutePath().normalize();
    }

    public static StowageHome fromDefault() {
        String configured = System.getProperty(PROPERTY);
        return new StowageHome(configured == null || configured.isBlank() ? Path.of(".stowage") : Path.of(configured));
    }

    /** BackupConfig YAML files, read by config-service. */
    public Path config() {
        return root.resolve("config");
    }

    /** Secret N with key K is the file {@code secrets/N/K}, as a Kubernetes Secret mounted as a volume. */
    public Path secrets() {
        return root.resolve("secrets");
    }

    /** The Kafka broker's work directory (data, server.properties, broker.log, broker.pid). */
    public Path kafka() {
        return root.resolve("kafka");
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path run() {
        return root.resolve("run");
    }

    /** The local S3 server (S3Proxy): its objects under {@code data/}, settings, credentials, log and pid. */
    public Path s3() {
        return root.resolve("s3");
    }

    /** Local PostgreSQL clusters (the demo's), one work directory each: {@code postgres/<name>/data}, its log. */
    public Path postgres() {
        return root.resolve("postgres");
    }

    /** Filesystem storages of the demo cluster. */
    public Path storages() {
        return root.resolve("storages");
    }

    public Path log(String service) {
        return logs().resolve(service + ".log");
    }

    public Path pidFile(String service) {
        return run().resolve(service + ".pid");
    }

    /** A service's Kafka client settings beyond the address, which may hold credentials: readable by the owner only. */
    public Path kafkaClientConfig(String service) {
        return run().resolve(service + ".kafka.properties");
    }

    /** Creates the folders that do not exist yet; existing ones and their files are left alone. */
    public StowageHome ensureLayout() {
        try {
            for (Path dir : List.of(config(), secrets(), kafka(), logs(), run())) {
                Files.createDirectories(dir);
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the state folders under " + root, e);
        }
    }
}
