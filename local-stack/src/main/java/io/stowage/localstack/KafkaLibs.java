package io.stowage.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Finds the Kafka broker's jars, which the kafka-broker module gathers at build time. */
final class KafkaLibs {
    static final String PROPERTY = "stowage.kafka.libs";
    static final String ENV = "STOWAGE_KAFKA_LIBS";
    static final Path BUILD_OUTPUT = Path.of("kafka-broker", "target", "kafka-libs");

    private KafkaLibs() {
    }

    /** The libs directory: system property, then environment variable, then a parent of the working directory. */
    static Path locate() {
        return locate(System.getProperty(PROPERTY), System.getenv(ENV), Path.of("").toAbsolutePath());
    }

    static Path locate(String property, String env, Path from) {
        if (isSet(property) && holdsBroker(Path.of(property))) {
            return Path.of(property).toAbsolutePath();
        }
        if (isSet(env) && holdsBroker(Path.of(env))) {
            return Path.of(env).toAbsolutePath();
        }
        for (Path dir = from.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (holdsBroker(dir.resolve(BUILD_OUTPUT))) {
                return dir.resolve(BUILD_OUTPUT);
            }
        }
        throw new IllegalStateException("No Kafka broker jars found. Looked at: system property " + PROPERTY + "="
                + property + ", environment variable " + ENV + "=" + env + ", and " + BUILD_OUTPUT
                + " in " + from.toAbsolutePath() + " and its parents. Build the kafka-broker module"
                + " (./mvnw -pl kafka-broker install) or point " + PROPERTY + " at a directory of Kafka jars.");
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    // An empty or half-built directory would only fail later with a ClassNotFoundException in broker.log.
    private static boolean holdsBroker(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> jars = Files.list(dir)) {
            return jars.anyMatch(jar -> jar.getFileName().toString().matches("kafka_2\\.13-.*\\.jar"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir, e);
        }
    }
}
