package io.stowage.cli.bus;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Reads one topic from the beginning to its current end (committed records only) and hands every record over,
 * decoded. For questions about the past ("the newest rejection", "since which revision"), not for following.
 */
public final class TopicScan {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private TopicScan() {
    }

    /** Every record of {@code topic} up to its end when the scan started, partition by partition in offset order. */
    public static void scan(KafkaConnection kafka, String topic, Duration timeout, Consumer<BusReader.Read> each) {
        try {
            io.stowage.bus.TopicScan.scan(kafka, topic, timeout, r -> each.accept(BusReader.decode(r)));
        } catch (IllegalStateException e) {
            throw new CliFailure(e.getMessage() + (e.getMessage().contains("does not exist")
                    ? " (`stowage up` creates the topics)" : ""));
        }
    }
}
