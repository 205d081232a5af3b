package io.stowage.cli.bus;

import io.stowage.bus.KafkaConnection;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A Kafka client properties file, the kind Kafka's own tools take with {@code --command-config}: read and checked
 * before any client is made, so that a mistake names the file and the property rather than failing a connection.
 */
public final class KafkaClientFile {
    /** Key and trust stores ({@code ssl.keystore.location}, {@code ssl.truststore.location}). */
    private static final String LOCATION_SUFFIX = ".location";

    private KafkaClientFile() {
    }

    /**
     * The connection the file describes.
     *
     * @param bootstrapServers when not null, in place of the file's {@code bootstrap.servers}
     * @param baseDir          where relative store locations are taken from: Kafka's tools take them from their
     *                         working directory, which is where the user typed the command
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static KafkaConnection load(Path file, String bootstrapServers, Path baseDir) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("the Kafka client properties file " + file + " does not exist");
        }
        KafkaConnection loaded;
        try {
            loaded = KafkaConnection.load(file, bootstrapServers);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().contains(file.toString()) ? e
                    : new IllegalArgumentException("the Kafka client properties " + file + ": " + e.getMessage(), e);
        }
        Map<String, Object> properties = new HashMap<>(loaded.properties());
        requireSaslLogin(file, properties);
        properties.replaceAll((key, value) -> key.endsWith(LOCATION_SUFFIX) ? store(file, key, value, baseDir) : value);
        KafkaConnection connection = KafkaConnection.of(properties);
        try {
            // Kafka's own checks of names and values (security.protocol, numbers, lists), without connecting.
            new ConsumerConfig(connection.consumer("stowage-cli", Map.of()));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("the Kafka client properties " + file + ": " + e.getMessage(), e);
        }
        return connection;
    }

    /**
     * A SASL protocol without {@code sasl.jaas.config}: Kafka's client would only say that JAAS has no
     * {@code KafkaClient} entry, which tells nobody that the login (user and password) is what is missing.
     */
    private static void requireSaslLogin(Path file, Map<String, Object> properties) {
        Object protocol = properties.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
        if (protocol != null && protocol.toString().strip().toUpperCase(Locale.ROOT).startsWith("SASL_")
                && !properties.containsKey(SaslConfigs.SASL_JAAS_CONFIG)
                && System.getProperty("java.security.auth.login.config") == null) {
            throw new IllegalArgumentException("the Kafka client properties " + file + ": security.protocol is "
                    + protocol + ", which logs in with SASL, but there is no sasl.jaas.config, the SASL login (for"
                    + " SCRAM: org.apache.kafka.common.security.scram.ScramLoginModule required username=\"...\""
                    + " password=\"...\";)");
        }
    }

    private static String store(Path file, String key, Object value, Path baseDir) {
        String location = value.toString().strip();
        if (location.isEmpty()) {
            return location;
        }
        Path store = baseDir.resolve(location).normalize();
        if (!Files.isRegularFile(store) || !Files.isReadable(store)) {
            throw new IllegalArgumentException("the Kafka client properties " + file + ": " + key + " names " + store
                    + ", which is not a readable file");
        }
        return store.toString();
    }
}
