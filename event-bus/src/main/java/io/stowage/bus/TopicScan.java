package io.stowage.bus;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads one topic from the beginning to its end as it was when the scan started, committed records only, no
 * consumer group: how a service rebuilds state and how a person asks about the past.
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
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumer("stowage-scan", Map.of()))) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist on " + kafka);
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // With read_committed, the end offsets are the last stable offsets: reading up to them is complete.
            Map<TopicPartition, Long> remaining = new HashMap<>(consumer.endOffsets(partitions, timeout));
            remaining.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
            while (!remaining.isEmpty()) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("timed out reading " + topic + " to its end after "
                            + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    each.accept(r);
                }
                remaining.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
            }
        }
    }
}
