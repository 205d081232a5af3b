package io.stowage.bus;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The current state held by a compacted topic: the latest record per key, tombstones removing their key. How a
 * service rebuilds its state after a restart.
 */
public final class CompactedTopicReader {
    private CompactedTopicReader() {
    }

    public static Map<String, ConsumerRecord<String, byte[]>> readLatest(KafkaConnection kafka, String topic,
                                                                       Duration timeout) {
        Map<String, ConsumerRecord<String, byte[]>> latest = new LinkedHashMap<>();
        TopicScan.scan(kafka, topic, timeout, r -> {
            if (r.key() == null) {
                return;
            }
            if (r.value() == null) {
                latest.remove(r.key());
            } else {
                latest.put(r.key(), r);
            }
        });
        return latest;
    }
}
