package io.stowage.cli.commands;

import io.stowage.cli.stack.LocalBroker;
import io.stowage.cli.stack.StowageHome;
import picocli.CommandLine.Option;

/** {@code --kafka}: the bootstrap servers to read from. */
public class KafkaOption {
    @Option(names = "--kafka", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka bootstrap servers (default: the local stack's broker, 127.0.0.1:9092).")
    String kafka;

    /** The given servers; else the local broker, on whatever port `up --kafka-port` gave it. */
    public String bootstrap(StowageHome home) {
        return kafka != null ? kafka : new LocalBroker(home).addressOrDefault();
    }
}
