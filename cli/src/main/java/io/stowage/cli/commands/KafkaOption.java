package io.stowage.cli.commands;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.bus.KafkaClientFile;
import io.stowage.cli.stack.LocalBroker;
import io.stowage.cli.stack.StowageHome;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@code --kafka} and {@code --kafka-config}: how a command reaches Kafka. A client properties file (the option,
 * else the file {@value #CONFIG_ENV} names) gives every client setting, as Kafka's own tools take it with
 * {@code --command-config}; {@code --kafka} replaces its bootstrap servers, or alone means plaintext to them; with
 * neither, the local stack's broker, with the client properties it was started with, if any.
 */
public class KafkaOption {
    /** Names a client properties file when {@code --kafka-config} is not given. */
    public static final String CONFIG_ENV = "STOWAGE_KAFKA_CONFIG";

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--kafka", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka bootstrap servers; with a client properties file, in place of its"
                    + " bootstrap.servers (default: the file's, else the local stack's broker, 127.0.0.1:9092).")
    String kafka;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties (bootstrap.servers, security.protocol, ssl.*, sasl.*...), as"
                    + " Kafka's tools take them with --command-config (default: the file $" + CONFIG_ENV + " names).")
    Path config;

    /** The connection the options, the environment or the local stack give; a usage error for a bad file. */
    public KafkaConnection connection(StowageHome home) {
        return connection(home, System.getenv());
    }

    KafkaConnection connection(StowageHome home, Map<String, String> env) {
        if (kafka != null && kafka.isBlank()) {
            throw usage("--kafka: no bootstrap servers given", null);
        }
        if (config != null) {
            return fromFile(config, "--kafka-config");
        }
        String named = env.get(CONFIG_ENV);
        if (named != null && !named.isBlank()) {
            return fromFile(Path.of(named.strip()), "$" + CONFIG_ENV);
        }
        return kafka != null ? KafkaConnection.to(kafka.strip()) : new LocalBroker(home).connection();
    }

    private KafkaConnection fromFile(Path file, String source) {
        try {
            // Relative paths, the file's and the stores' in it, from where the user typed the command.
            return KafkaClientFile.load(CallerDir.resolve(file), kafka == null ? null : kafka.strip(), CallerDir.path());
        } catch (IllegalArgumentException e) {
            throw usage(source + ": " + e.getMessage(), e);
        }
    }

    private ParameterException usage(String message, Exception cause) {
        return new ParameterException(command.commandLine(), message, cause);
    }
}
