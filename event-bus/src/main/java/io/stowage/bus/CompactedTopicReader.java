package io.stowage.bus;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a compacted state topic from the beginning to its current end (committed records only): the latest
 * record per key, tombstones removing their key. How a service rebuilds its state after a restart.
 */
public final class CompactedTopicReader {
    private CompactedTopicReader() {
    }

    public static Map<String, ConsumerRecord<String, byte[]>> readLatest(String bootstrapServers, String topic,
                                                                       Duration timeout) {
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
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // With read_committed, the end offsets are the last stable offsets: reading up to them is complete.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Map<String, ConsumerRecord<String, byte[]>> latest = new LinkedHashMap<>();
            Map<TopicPartition, Long> remaining = new HashMap<>(end);
            remaining.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
            while (!remaining.isEmpty()) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("timed out reading " + topic + " to its end");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() == null) {
                        continue;
                    }
                    if (r.value() == null) {
                        latest.remove(r.key());
                    } else {
                        latest.put(r.key(), r);
                    }
                }
                remaining.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
            }
            return latest;
        }
    }
}
