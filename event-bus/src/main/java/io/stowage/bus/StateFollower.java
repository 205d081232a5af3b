package io.stowage.bus;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Follows a compacted state topic (topology, catalog) on every instance: all partitions, from the beginning, no
 * consumer group, committed records only. {@link #awaitCaughtUp} tells when the state read so far is the state
 * the topic held when following began, so a service can wait for it before acting.
 */
public class StateFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StateFollower.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Consumer<ConsumerRecord<String, byte[]>> onRecord;
    private final String topic;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private final java.util.concurrent.ConcurrentLinkedQueue<CountDownLatch> catchUps =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    /** @param onRecord called on the follower's thread for every record, tombstones (null value) included */
    public StateFollower(String bootstrapServers, String topic, Consumer<ConsumerRecord<String, byte[]>> onRecord) {
        this.consumer = new KafkaConsumer<>(TopicScan.readCommitted(bootstrapServers));
        this.onRecord = onRecord;
        this.topic = topic;
        this.thread = new Thread(this::run, "follow-" + topic);
        thread.setDaemon(true);
    }

    public StateFollower start() {
        thread.start();
        return this;
    }

    /** True once everything committed when following began has been handed over. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits until everything committed on the topic up to now has been handed over: a request that names a
     * cluster applied a moment ago finds it. The follower is woken from its idle poll, so a caller already current
     * waits for one round trip to the broker (the end offsets), not for the poll to time out.
     */
    public boolean awaitCurrent(Duration timeout) throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        catchUps.add(latch);
        consumer.wakeup();
        return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = null;
            Map<TopicPartition, Long> end = null;
            while (end == null) {
                try {
                    partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                            .map(p -> new TopicPartition(topic, p.partition())).toList();
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                    end = consumer.endOffsets(partitions);
                } catch (WakeupException e) {
                    if (!running) {
                        return;
                    }
                    // an early awaitCurrent: its waiter is taken below
                }
            }
            List<CountDownLatch> arrived = new java.util.ArrayList<>();
            List<CountDownLatch> waiting = new java.util.ArrayList<>();
            Map<TopicPartition, Long> waitingFor = Map.of();
            while (running) {
                try {
                    if (!catchUps.isEmpty()) {
                        // New waiters wait for the end as it is once they arrived, so it is read after taking them
                        // (already-waiting ones are satisfied by it too). A wakeup in between keeps them in arrived.
                        for (CountDownLatch l; (l = catchUps.poll()) != null; ) {
                            arrived.add(l);
                        }
                        waitingFor = consumer.endOffsets(partitions);
                        waiting.addAll(arrived);
                        arrived.clear();
                    }
                    if (!waiting.isEmpty() && reached(waitingFor)) {
                        waiting.forEach(CountDownLatch::countDown);
                        waiting.clear();
                    }
                    for (ConsumerRecord<String, byte[]> r
                            : consumer.poll(Duration.ofMillis(waiting.isEmpty() ? 500 : 20))) {
                        try {
                            onRecord.accept(r);
                        } catch (RuntimeException e) {
                            LOG.errorf(e, "could not apply %s-%d@%d; going on", r.topic(), r.partition(), r.offset());
                        }
                    }
                    if (caughtUp.getCount() > 0 && reached(end)) {
                        caughtUp.countDown();
                    }
                } catch (WakeupException e) {
                    // A new waiter (awaitCurrent) or closing: the loop decides which.
                }
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "stopped following %s", topic);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
