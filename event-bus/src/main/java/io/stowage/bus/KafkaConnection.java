package io.stowage.bus;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How every Kafka client of a process reaches the cluster: the bootstrap servers and any other client property the
 * cluster needs ({@code security.protocol}, {@code ssl.*}, {@code sasl.*}, key stores), as Quarkus' {@code kafka.*}
 * configuration or a client properties file (Kafka tools' {@code --command-config}) gives them. Each client adds
 * its own settings: tunables the connection may override, and the semantics it relies on, which it may not.
 */
public final class KafkaConnection {
    /** Told of each long-lived client made with a connection (followers, membership loops, publishers). */
    @FunctionalInterface
    public interface ClientObserver {
        /** @param client a KafkaConsumer or KafkaProducer, just made */
        void opened(Object client);
    }

    private static final ClientObserver NOBODY = client -> {
    };

    private final Map<String, Object> common;
    private final ClientObserver observer;

    private KafkaConnection(Map<String, ?> common) {
        this(common, NOBODY);
    }

    private KafkaConnection(Map<String, ?> common, ClientObserver observer) {
        this.observer = observer;
        Object servers = common.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null || servers.toString().isBlank()) {
            throw new IllegalArgumentException("no bootstrap.servers in the Kafka client configuration");
        }
        this.common = Collections.unmodifiableMap(new HashMap<>(common));
    }

    /** A connection from client properties (keys as Kafka names them, e.g. {@code security.protocol}). */
    public static KafkaConnection of(Map<String, ?> properties) {
        return new KafkaConnection(properties);
    }

    /** A plaintext connection to these bootstrap servers, and nothing else. */
    public static KafkaConnection to(String bootstrapServers) {
        return new KafkaConnection(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /**
     * A connection from a client properties file; {@code bootstrapServers}, when not null, replaces the file's.
     *
     * @throws IllegalArgumentException when the file cannot be read or names no bootstrap servers
     */
    public static KafkaConnection load(Path file, String bootstrapServers) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the Kafka client properties " + file + ": " + e.getMessage(),
                    e);
        }
        Map<String, Object> map = new HashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k).trim()));
        if (bootstrapServers != null) {
            map.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        }
        if (!map.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("the Kafka client properties " + file + " name no bootstrap.servers");
        }
        return new KafkaConnection(map);
    }

    /** The same connection to other bootstrap servers. */
    public KafkaConnection withBootstrapServers(String bootstrapServers) {
        Map<String, Object> map = new HashMap<>(common);
        map.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return new KafkaConnection(map, observer);
    }

    /** The same connection, telling {@code observer} of each long-lived client made with it (e.g. to bind metrics). */
    public KafkaConnection observedBy(ClientObserver observer) {
        return new KafkaConnection(common, observer);
    }

    /** Announces a long-lived client just made with this connection; returns it. */
    public <C> C opened(C client) {
        observer.opened(client);
        return client;
    }

    public String bootstrapServers() {
        return common.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG).toString();
    }

    /** The security protocol clients use: PLAINTEXT unless the configuration says otherwise. */
    public String securityProtocol() {
        return String.valueOf(common.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT"));
    }

    /** The common client properties, as given: for a client this class does not make (an admin client). */
    public Map<String, Object> properties() {
        return common;
    }

    /**
     * A consumer that reads committed records only and never commits on its own, keys as strings and values as
     * bytes; {@code tunables} (timeouts, fetch sizes) give way to the connection's settings.
     */
    public Properties consumer(String clientId, Map<String, Object> tunables) {
        Properties p = new Properties();
        p.putAll(tunables);
        p.putAll(common);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    /** An idempotent producer that waits for every in-sync replica (acks=all), string keys, byte values. */
    public Map<String, Object> producer(String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.putAll(common);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }

    /** An admin client's properties. */
    public Map<String, Object> admin(String clientId) {
        Map<String, Object> p = new HashMap<>(common);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return p;
    }

    /** The bootstrap servers and the security protocol; never a password or key. */
    @Override
    public String toString() {
        return bootstrapServers() + " (" + securityProtocol() + ")";
    }

    /** The property names only, for a log line that says what was configured without saying the values. */
    public String describeKeys() {
        return String.join(", ", new TreeMap<>(common).keySet());
    }
}
