package io.stowage.bus;

import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.EventRejected;
import io.stowage.events.data.StowageEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A consumer-group loop over some topics: decodes each record, hands valid events to the handler, and turns
 * bad input into {@code event.rejected.v1} on {@code stowage.rejected}. Nothing an event contains can stop it.
 * Offsets are committed after the batch is handled and its rejections are acknowledged (at-least-once).
 */
public class EventConsumerLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventConsumerLoop.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaConsumer<String, byte[]> consumer;
    private final EventPublisher rejections;
    private final EventHandler handler;
    private final String consumerName;
    private final String source;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong rejectedCount = new AtomicLong();
    private volatile boolean running = true;

    /**
     * @param consumerName the consumer group, also named in rejections
     * @param source       the CloudEvents source of the rejections this loop publishes
     */
    public EventConsumerLoop(KafkaConnection kafka, String consumerName, Collection<String> topics,
                             EventHandler handler, EventPublisher rejections, String source) {
        this(kafka, consumerName, topics, handler, rejections, source, Map.of());
    }

    /**
     * @param overrides consumer settings for this loop, e.g. a long {@code max.poll.interval.ms} for a handler that
     *                  works for minutes before it returns
     */
    public EventConsumerLoop(KafkaConnection kafka, String consumerName, Collection<String> topics,
                             EventHandler handler, EventPublisher rejections, String source,
                             Map<String, Object> overrides) {
        Map<String, Object> tunables = new java.util.HashMap<>();
        tunables.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A crashed instance's partitions move to the others after 10 s rather than the default 45 s.
        tunables.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        tunables.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
        Properties props = kafka.consumer(consumerName, tunables);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, consumerName);
        props.putAll(overrides);
        this.consumer = new KafkaConsumer<>(props);
        this.rejections = rejections;
        this.handler = handler;
        this.consumerName = consumerName;
        this.source = source;
        consumer.subscribe(topics);
        this.thread = new Thread(this::run, "consumer-" + consumerName);
        thread.setDaemon(true);
    }

    public EventConsumerLoop start() {
        thread.start();
        return this;
    }

    /** How many records this loop has rejected since it started. */
    public long rejectedCount() {
        return rejectedCount.get();
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> record : records) {
                    handleOne(record);
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.errorf(e, "consumer %s woken up unexpectedly", consumerName);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "consumer %s stopped by a broker or client failure", consumerName);
        } finally {
            // Bounded: a consumer still joining its group would otherwise hold a shutdown for 30 s.
            consumer.close(CLOSE_TIMEOUT);
            stopped.countDown();
        }
    }

    private void handleOne(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            handler.handleTombstone(record.key());
            return;
        }
        Envelope<StowageEvent> event;
        try {
            event = KafkaEvents.fromRecord(record);
        } catch (InvalidEventException e) {
            reject(Rejections.of(record, e, consumerName, source));
            return;
        }
        try {
            handler.handle(event);
        } catch (RejectedEventException e) {
            reject(Rejections.of(record, event.type().type(), event.id(), e.getMessage(), consumerName, source));
        } catch (RuntimeException e) {
            // A bug or an unexpected state must not stop the consumer: say so, and go on with the next record.
            LOG.errorf(e, "[%s] %s %s could not be handled", event.correlationId(), event.type().type(), event.id());
            reject(Rejections.of(record, event.type().type(), event.id(),
                    "could not be handled: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
                    consumerName, source));
        }
    }

    private void reject(Envelope<EventRejected> rejection) {
        EventRejected r = rejection.data();
        LOG.warnf("[%s] rejected %s-%d@%d (%s): %s", rejection.correlationId(), r.topic(), r.partition(), r.offset(),
                r.type() == null ? "no type" : r.type(), r.reason());
        rejectedCount.incrementAndGet();
        rejections.publishAndWait(rejection);
    }

    @Override
    public void close() {
        running = false;
        if (!thread.isAlive() && stopped.getCount() > 0) {
            consumer.close(CLOSE_TIMEOUT); // never started
            stopped.countDown();
            return;
        }
        consumer.wakeup();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
