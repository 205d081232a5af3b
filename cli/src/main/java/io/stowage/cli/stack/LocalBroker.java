package io.stowage.cli.stack;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.cli.bus.KafkaClientFile;
import io.stowage.localstack.BrokerSecurity;
import io.stowage.localstack.BrokerUser;
import io.stowage.localstack.KafkaBroker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * The local stack's Kafka broker, run by local-stack's {@link KafkaBroker} from {@code .stowage/kafka}. Its
 * address comes from the server.properties written at its last start, so other commands find it on any port.
 */
public final class LocalBroker {
    public static final int DEFAULT_PORT = 9092;
    public static final String DEFAULT_ADDRESS = "127.0.0.1:" + DEFAULT_PORT;

    private final Path workDir;

    public LocalBroker(StowageHome home) {
        this.workDir = home.kafka();
    }

    public boolean isRunning() {
        return Files.isDirectory(workDir) && KafkaBroker.isRunning(workDir);
    }

    /** Starts the broker detached, in the given shape: it outlives this command. Returns its address. */
    public String start(int port, BrokerSecurity security) {
        return KafkaBroker.startDetached(workDir, port, security).bootstrapServers();
    }

    /**
     * The shape the broker was made in (PLAINTEXT, SASL_SSL, MTLS), if it was ever started here: it keeps it, since
     * a secured broker's users live in its storage.
     */
    public Optional<BrokerSecurity> shape() {
        return Files.isDirectory(workDir) ? KafkaBroker.shape(workDir) : Optional.empty();
    }

    /** The admin's client properties, for topic setup: a secured broker's service user may not create topics. */
    public Map<String, String> adminProperties() {
        return KafkaBroker.clientProperties(workDir, BrokerUser.ADMIN);
    }

    /** SIGTERM, then SIGKILL after 30 s; false when no broker was running. */
    public boolean stop() {
        return Files.isDirectory(workDir) && KafkaBroker.stop(workDir);
    }

    /** The address of the last start ({@code advertised.listeners}), if the broker was ever started here. */
    public Optional<String> address() {
        Path file = workDir.resolve("server.properties");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        String listener = props.getProperty("advertised.listeners", "");
        int at = listener.indexOf("://");
        return at < 0 ? Optional.empty() : Optional.of(listener.substring(at + 3));
    }

    /** The running broker's address, or the default when none runs here. */
    public String addressOrDefault() {
        return isRunning() ? address().orElse(DEFAULT_ADDRESS) : DEFAULT_ADDRESS;
    }

    /**
     * The client properties its start wrote for the stack's clients, the services and every stowage command: a
     * secured broker's protocol, trust store and the service user's credentials; none for a plaintext broker, which
     * needs no more than its address. The service user ({@link BrokerUser#SERVICE}), not the admin: it may read and
     * write the topics, consumer groups and transactions, and nothing more, so a command can do no more than a
     * service, and the commands run under the ACLs the services run under. Only {@code up} uses the admin, to create
     * the topics.
     */
    public Optional<Path> clientProperties() {
        Path file = KafkaBroker.clientPropertiesFile(workDir, BrokerUser.SERVICE);
        return shape().filter(BrokerSecurity::isSecure).filter(secure -> Files.isRegularFile(file)).map(secure -> file);
    }

    /** How the stack's clients reach the broker running here (or the default address): with its client properties. */
    public KafkaConnection connection() {
        return connection(addressOrDefault());
    }

    /** How the stack's clients reach the broker at {@code address}, which it was just started on. */
    public KafkaConnection connection(String address) {
        Optional<Path> properties = clientProperties();
        if (properties.isEmpty()) {
            return KafkaConnection.to(address);
        }
        try {
            return KafkaClientFile.load(properties.get(), address, properties.get().getParent());
        } catch (IllegalArgumentException e) {
            throw new CliFailure("the local broker's client properties cannot be used: " + e.getMessage(), e);
        }
    }

    public OptionalLong pid() {
        return new PidFile(workDir.resolve("broker.pid")).read();
    }

    public Path log() {
        return workDir.resolve("broker.log");
    }
}
