package io.stowage.bus;

import io.stowage.events.Topics;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Follows a compacted state topic (topology, catalog) on every instance: a {@link BusReader} of all partitions from
 * the beginning, on a thread of its own. {@link #awaitCaughtUp} tells when the state read so far is the state the
 * topic held when following began, so a service can wait for it before acting; {@link #awaitCurrent} when it holds
 * everything committed up to now.
 */
public class StateFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StateFollower.class);
    /** Numbers the followers of a process, so that each client id is unique (Kafka registers metrics by it). */
    private static final AtomicInteger FOLLOWERS = new AtomicInteger();
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final KafkaConnection kafka;
    private final String clientId;
    private final Consumer<ConsumerRecord<String, byte[]>> onRecord;
    private final String topic;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private final ConcurrentLinkedQueue<CatchUp> catchUps = new ConcurrentLinkedQueue<>();
    private volatile BusReader reader;
    /**
     * Reads the topic's end offsets for {@link #awaitCurrent}, on a connection of its own: on the follower's, the
     * request would queue behind its long-poll fetch (the broker answers a connection's requests in order).
     */
    private BusReader ends;
    private volatile boolean running = true;
    private volatile String died;

    /** A caller of {@link #awaitCurrent}: released once the follower's positions reach {@code end}. */
    private record CatchUp(Map<TopicPartition, Long> end, CountDownLatch latch) {
    }

    /** @param onRecord called on the follower's thread for every record, tombstones (null value) included */
    public StateFollower(KafkaConnection kafka, String topic, Consumer<ConsumerRecord<String, byte[]>> onRecord) {
        this.kafka = kafka;
        this.clientId = "stowage-follow-" + topic + "-" + FOLLOWERS.incrementAndGet();
        this.onRecord = onRecord;
        this.topic = topic;
        this.thread = new Thread(this::run, "follow-" + topic);
        thread.setDaemon(true);
    }

    public StateFollower start() {
        thread.start();
        return this;
    }

    /**
     * When this follows a state topic of the contract (compacted): refuses, with the reason, if the topic is not
     * compacted only ({@link ContractTopics#requireCompacted}). Services call it first thing at start.
     *
     * @throws IllegalStateException naming the topic, its policy and how to fix it
     */
    public void requireStateTopicCompacted() {
        boolean state = Topics.ALL.stream().anyMatch(t -> t.name().equals(topic) && t.compacted());
        if (state) {
            ContractTopics.requireCompacted(kafka, List.of(topic), Duration.ofSeconds(10));
        }
    }

    /** True once everything committed when following began has been handed over. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits until everything committed on the topic up to now has been handed over: a request that names a
     * cluster applied a moment ago finds it. The topic's end is read now, and the follower is woken from its idle
     * poll, so a caller already current waits for one round trip to the broker. False when the end cannot be read
     * or is not reached in time.
     */
    public boolean awaitCurrent(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> end;
        try {
            end = endOffsets(timeout);
        } catch (KafkaException | IllegalStateException e) {
            LOG.warnf("cannot read the end of %s: %s", topic, e.getMessage());
            return false;
        }
        CatchUp catchUp = new CatchUp(end, new CountDownLatch(1));
        catchUps.add(catchUp);
        BusReader current = reader;
        if (current != null) {
            current.wakeup();
        }
        return catchUp.latch().await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private synchronized Map<TopicPartition, Long> endOffsets(Duration timeout) {
        if (!running) {
            throw new KafkaException("the follower of " + topic + " is closed");
        }
        if (ends == null) {
            ends = new BusReader(kafka, clientId + "-ends", List.of(topic), false);
        }
        return ends.endOffsets(timeout);
    }

    private void run() {
        try {
            BusReader following = open();
            if (following == null) {
                return;
            }
            Map<TopicPartition, Long> end = following.endOffsets(Duration.ofSeconds(60));
            List<CatchUp> waiting = new ArrayList<>();
            while (running) {
                try {
                    for (CatchUp c; (c = catchUps.poll()) != null; ) {
                        waiting.add(c);
                    }
                    for (Iterator<CatchUp> i = waiting.iterator(); i.hasNext(); ) {
                        CatchUp c = i.next();
                        if (following.reached(c.end())) {
                            c.latch().countDown();
                            i.remove();
                        }
                    }
                    for (ConsumerRecord<String, byte[]> r
                            : following.pollRecords(Duration.ofMillis(waiting.isEmpty() ? 500 : 20))) {
                        try {
                            onRecord.accept(r);
                        } catch (RuntimeException e) {
                            LOG.errorf(e, "could not apply %s-%d@%d; going on", r.topic(), r.partition(), r.offset());
                        }
                    }
                    if (caughtUp.getCount() > 0 && following.reached(end)) {
                        caughtUp.countDown();
                    }
                } catch (WakeupException e) {
                    // A new waiter (awaitCurrent) or closing: the loop decides which.
                } catch (RetriableException e) {
                    // The broker out of reach for a while (a position or fetch timed out): keep following.
                    LOG.warnf("following %s: %s; retrying", topic, e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            if (running) { // else closing: an interrupted poll is how it ends
                died = e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.errorf(e, "stopped following %s", topic);
            }
        } finally {
            BusReader r = reader;
            if (r != null) {
                try {
                    r.close();
                } catch (RuntimeException e) {
                    LOG.debugf("closing the follower of %s: %s", topic, e.getMessage());
                }
            }
        }
    }

    /** The reader of the whole topic, from the beginning; null when closed before it could be made. */
    private BusReader open() {
        while (running) {
            try {
                reader = new BusReader(kafka, clientId, List.of(topic), true).longLived();
                return reader;
            } catch (RetriableException | IllegalStateException e) {
                // The broker not there yet, or the topic not created yet: a service may start before either.
                LOG.warnf("cannot follow %s yet: %s; retrying", topic, e.getMessage());
                try {
                    TimeUnit.MILLISECONDS.sleep(RETRY.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        return null;
    }

    /** False once the follower has stopped for good on an error (not when it was closed): its state no longer moves. */
    public boolean alive() {
        return died == null;
    }

    /** Why the follower stopped, if it did on an error. */
    public Optional<String> failure() {
        return Optional.ofNullable(died);
    }

    /** The topic this follower reads. */
    public String topic() {
        return topic;
    }

    @Override
    public void close() {
        running = false;
        synchronized (this) {
            if (ends != null) {
                ends.close();
                ends = null;
            }
        }
        BusReader r = reader;
        if (r != null) {
            r.wakeup(); // a follower still waiting for its topic sees running turn false within a second
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
