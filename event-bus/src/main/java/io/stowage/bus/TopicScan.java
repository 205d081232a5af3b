package io.stowage.bus;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads one topic from the beginning to its end as it was when the scan started (a {@link BusReader}): how a service
 * rebuilds state and how a person asks about the past.
 */
public final class TopicScan {
    private TopicScan() {
    }

    /**
     * Hands every record of {@code topic} to {@code each}, partition by partition in offset order.
     *
     * @throws IllegalStateException when the topic does not exist or the end is not reached in time
     */
    public static void scan(KafkaConnection kafka, String topic, Duration timeout,
                            Consumer<ConsumerRecord<String, byte[]>> each) {
        try (BusReader reader = new BusReader(kafka, "stowage-scan", List.of(topic), true)) {
            reader.readRecordsToEnd(timeout, each);
        }
    }
}
