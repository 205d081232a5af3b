package io.stowage.bus;

import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.StowageEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads topics as a person or a test does: every partition, from the beginning or from now, committed
 * records only, no consumer group. Each record comes back decoded, or with the reason it is not valid.
 */
public class BusReader implements AutoCloseable {

    /** One record read: the decoded event, or why it could not be decoded. */
    public record Read(ConsumerRecord<String, byte[]> record, Envelope<StowageEvent> event, String invalidReason) {
        public boolean valid() {
            return event != null;
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;

    public BusReader(String bootstrapServers, Collection<String> topics, boolean fromBeginning) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // fix "now" before anything else is written
        }
    }

    /** The records that arrived within {@code timeout} (possibly none). */
    public List<Read> poll(Duration timeout) {
        List<Read> reads = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            if (r.value() == null) {
                reads.add(new Read(r, null, "tombstone"));
                continue;
            }
            try {
                reads.add(new Read(r, KafkaEvents.fromRecord(r), null));
            } catch (InvalidEventException e) {
                reads.add(new Read(r, null, e.getMessage()));
            }
        }
        return reads;
    }

    /**
     * Everything committed up to now: reads until every partition's position reaches the end offset it had
     * when this was called. What this returns is complete, so a test can assert that something is absent.
     */
    public List<Read> readToEnd(Duration timeout) {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        List<Read> reads = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out reading to the end of " + end.keySet());
            }
            reads.addAll(poll(Duration.ofMillis(100)));
        }
        return reads;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
