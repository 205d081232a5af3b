package io.stowage.cli.bus;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaEvents;
import io.stowage.cli.CliFailure;
import io.stowage.events.InvalidEventException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
    public static void scan(String bootstrapServers, String topic, Duration timeout, Consumer<BusReader.Read> each) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Instant deadline = Instant.now().plus(timeout);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new CliFailure("topic " + topic + " does not exist on " + bootstrapServers
                        + " (`stowage up` creates the topics)");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // read_committed: the end offsets are the last stable offsets, so reading up to them is complete.
            Map<TopicPartition, Long> remaining = new HashMap<>(consumer.endOffsets(partitions, timeout));
            remaining.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
            while (!remaining.isEmpty()) {
                if (Instant.now().isAfter(deadline)) {
                    throw new CliFailure("timed out reading " + topic + " to its end after " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    each.accept(decode(r));
                }
                remaining.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
            }
        }
    }

    /** One record as BusReader reads it: the event, or the reason it is not one. */
    public static BusReader.Read decode(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return new BusReader.Read(r, null, "tombstone");
        }
        try {
            return new BusReader.Read(r, KafkaEvents.fromRecord(r), null);
        } catch (InvalidEventException e) {
            return new BusReader.Read(r, null, e.getMessage());
        }
    }
}
