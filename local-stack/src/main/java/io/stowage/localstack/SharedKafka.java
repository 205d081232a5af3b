package io.stowage.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** One real Kafka broker per JVM for integration tests: started on first use, with the contract's topics, stopped at exit. */
public final class SharedKafka {
    /** Partitions of every contract topic: more than one, so that tests meet per-key ordering as in production. */
    public static final int PARTITIONS = 3;

    /**
     * {@code -Dstowage.kafka.provider=testcontainers} (or {@code STOWAGE_KAFKA_PROVIDER}) runs the broker in a container
     * through Testcontainers instead, where a Docker engine exists. Never needed: the default is the subprocess.
     */
    public static final String PROVIDER = "stowage.kafka.provider";

    private static String bootstrapServers;
    private static RuntimeException startFailure;

    private SharedKafka() {
    }

    /** The shared broker's address; the first call starts it (a few seconds) and creates the topics. */
    public static synchronized String bootstrapServers() {
        if (startFailure != null) {
            // Every test class would otherwise wait out its own failed start.
            throw new IllegalStateException("The shared Kafka broker failed to start earlier in this JVM", startFailure);
        }
        if (bootstrapServers == null) {
            try {
                bootstrapServers = start();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return bootstrapServers;
    }

    private static String start() {
        if ("testcontainers".equals(System.getProperty(PROVIDER, System.getenv("STOWAGE_KAFKA_PROVIDER")))) {
            return ContainerKafka.start(PARTITIONS);
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("stowage-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a work directory for the shared Kafka broker", e);
        }
        // A failed start keeps its directory: broker.log in it says why.
        KafkaBroker broker = KafkaBroker.start(dir, 0);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            deleteTree(dir);
        }, "stop-shared-kafka"));
        TopicSetup.ensureTopics(broker.bootstrapServers(), PARTITIONS);
        return broker.bootstrapServers();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Only a temp directory: the OS cleans it up eventually.
        }
    }
}
