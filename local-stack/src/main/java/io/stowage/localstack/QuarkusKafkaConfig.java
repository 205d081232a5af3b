package io.stowage.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Quarkus service's Kafka client configuration, as the local stack and the tests hand it over: the broker's address
 * on the command line ({@code -Dkafka.bootstrap.servers}, which {@code ps} may show), every other client setting as
 * {@code kafka.*} in a file readable by its owner only, read through {@code -Dquarkus.config.locations}. A command line
 * is for every user of the machine to read, and {@code sasl.jaas.config} or a store password is a credential.
 */
public final class QuarkusKafkaConfig {
    /**
     * The file's ordinal among a service's config sources: above its application.properties (250) and
     * config/application.properties (260), below environment variables (300) and system properties (400).
     */
    public static final int ORDINAL = 275;
    private static final String BOOTSTRAP = "bootstrap.servers";

    private QuarkusKafkaConfig() {
    }

    /**
     * Writes {@code clientProperties} but {@code bootstrap.servers} as {@code kafka.*} keys into {@code file}
     * (mode 0600), or removes the file when there is nothing else, and returns the system properties that start a
     * service with them: {@code kafka.bootstrap.servers} and, with a file, {@code quarkus.config.locations}.
     */
    public static Map<String, String> write(Map<String, String> clientProperties, Path file) {
        String bootstrap = clientProperties.get(BOOTSTRAP);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("Kafka client properties without " + BOOTSTRAP);
        }
        Map<String, String> settings = new TreeMap<>(clientProperties);
        settings.remove(BOOTSTRAP);
        Map<String, String> system = new LinkedHashMap<>();
        system.put("kafka." + BOOTSTRAP, bootstrap);
        try {
            if (settings.isEmpty()) {
                Files.deleteIfExists(file);
                return system;
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare " + file, e);
        }
        Map<String, String> keys = new TreeMap<>();
        keys.put("config_ordinal", Integer.toString(ORDINAL));
        // Quarkus expands ${...} in every config value, and a password may hold one: \${ keeps it as it is.
        settings.forEach((key, value) -> keys.put("kafka." + key, value.replace("${", "\\${")));
        ClientPropertiesFile.write(keys, file, "Kafka client settings beyond the broker's address, as Quarkus'"
                + " kafka.* configuration.\nOwner-only: they may hold credentials.");
        system.put("quarkus.config.locations", file.toAbsolutePath().toUri().toString());
        return system;
    }
}
