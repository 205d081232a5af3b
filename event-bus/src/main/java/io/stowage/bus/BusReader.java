package io.stowage.bus;

import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.StowageEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

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

    public BusReader(KafkaConnection kafka, Collection<String> topics, boolean fromBeginning) {
        this.consumer = new KafkaConsumer<>(kafka.consumer("stowage-read", Map.of()));
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

    /** One record decoded: the event, or the reason it is not one (a tombstone says so). */
    public static Read decode(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return new Read(r, null, "tombstone");
        }
        try {
            return new Read(r, KafkaEvents.fromRecord(r), null);
        } catch (InvalidEventException e) {
            return new Read(r, null, e.getMessage());
        }
    }

    /** The records that arrived within {@code timeout} (possibly none). */
    public List<Read> poll(Duration timeout) {
        List<Read> reads = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            reads.add(decode(r));
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
