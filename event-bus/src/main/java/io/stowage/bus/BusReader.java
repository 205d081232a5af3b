package io.stowage.bus;

import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.StowageEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The one way Stowage reads topics without a consumer group: every partition (or one) from the beginning, from now,
 * or from an offset; committed records only. A scan reads to the end the topic had when it began, a tail polls, a
 * follower ({@link StateFollower}) does both. Records come raw, or decoded with the reason one is not an event.
 */
public class BusReader implements AutoCloseable {

    /** One record read: the decoded event, or why it could not be decoded. */
    public record Read(ConsumerRecord<String, byte[]> record, Envelope<StowageEvent> event, String invalidReason) {
        public boolean valid() {
            return event != null;
        }
    }

    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaConnection kafka;

    /** Every partition of {@code topics}, from the beginning or from now ("now" fixed before this returns). */
    public BusReader(KafkaConnection kafka, Collection<String> topics, boolean fromBeginning) {
        this(kafka, "stowage-read", topics, fromBeginning);
    }

    /**
     * Every partition of {@code topics}, from the beginning or from now.
     *
     * @throws IllegalStateException when a topic does not exist
     */
    public BusReader(KafkaConnection kafka, String clientId, Collection<String> topics, boolean fromBeginning) {
        this(kafka, new KafkaConsumer<>(kafka.consumer(clientId, Map.of())));
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException("topic " + topic + " does not exist on " + kafka);
                }
                infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position); // fix "now" before anything else is written
            }
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    private BusReader(KafkaConnection kafka, KafkaConsumer<String, byte[]> consumer) {
        this.kafka = kafka;
        this.consumer = consumer;
    }

    /** One partition, from {@code offset} on. */
    public static BusReader at(KafkaConnection kafka, String clientId, TopicPartition partition, long offset) {
        BusReader reader = new BusReader(kafka, new KafkaConsumer<>(kafka.consumer(clientId, Map.of())));
        reader.consumer.assign(List.of(partition));
        reader.consumer.seek(partition, offset);
        return reader;
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

    /** The records that arrived within {@code timeout} (possibly none), decoded. */
    public List<Read> poll(Duration timeout) {
        List<Read> reads = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            reads.add(decode(r));
        }
        return reads;
    }

    /** The records that arrived within {@code timeout} (possibly none), as they are. */
    public Iterable<ConsumerRecord<String, byte[]>> pollRecords(Duration timeout) {
        return consumer.poll(timeout);
    }

    /**
     * Everything committed up to now, decoded: reads until every partition's position reaches the end offset it had
     * when this was called. What this returns is complete, so a test can assert that something is absent.
     */
    public List<Read> readToEnd(Duration timeout) {
        List<Read> reads = new ArrayList<>();
        readRecordsToEnd(timeout, r -> reads.add(decode(r)));
        return reads;
    }

    /**
     * Hands every record committed up to now to {@code each}, partition by partition in offset order.
     *
     * @throws IllegalStateException when the end is not reached in time
     */
    public void readRecordsToEnd(Duration timeout, Consumer<ConsumerRecord<String, byte[]>> each) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> end = endOffsets(timeout);
        while (!reached(end)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out reading " + end.keySet() + " to its end after "
                        + timeout.toSeconds() + " s");
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                each.accept(r);
            }
        }
    }

    /** Where the assigned partitions end now: with read_committed, their last stable offsets. */
    public Map<TopicPartition, Long> endOffsets(Duration timeout) {
        return new HashMap<>(consumer.endOffsets(consumer.assignment(), timeout));
    }

    /** Whether this reader has read up to {@code end} (a partition it does not read counts as read). */
    public boolean reached(Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> !consumer.assignment().contains(e.getKey())
                || consumer.position(e.getKey()) >= e.getValue());
    }

    /** Cuts a poll short from another thread: it throws {@link org.apache.kafka.common.errors.WakeupException}. */
    public void wakeup() {
        consumer.wakeup();
    }

    /** Announces this reader as long-lived to the connection's observer (e.g. to bind its client metrics). */
    BusReader longLived() {
        kafka.opened(consumer);
        return this;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
