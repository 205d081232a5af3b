package io.stowage.config.leader;

import io.stowage.bus.ClusterPartitionAssignor;
import io.stowage.bus.KafkaConnection;
import io.stowage.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Leader election without Kubernetes: the replicas join one consumer group on {@code stowage.topology}, and the
 * member Kafka gives partition 0 leads. The group's assignor (ClusterPartitionAssignor: sticky, cooperative, a member's
 * lowest partitions kept first) leaves partition 0 where it is while replicas come and go; a leader that stops leaves the group at once, one killed is replaced once its session times
 * out ({@code session.timeout.ms}). The member reads nothing: its partitions stay paused, it polls to stay in the
 * group.
 */
public final class KafkaElection implements Election {
    private static final Logger LOG = Logger.getLogger(KafkaElection.class);
    public static final String GROUP = "stowage-config-service-leader";
    static final TopicPartition LEAD = new TopicPartition(Topics.TOPOLOGY, 0);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String identity;
    private final AtomicBoolean leading = new AtomicBoolean();
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "leader-callbacks");
        t.setDaemon(true);
        return t;
    });
    private Thread thread;
    private volatile boolean running = true;

    /** @param sessionTimeout how long a killed leader holds the lead before another replica takes it */
    public KafkaElection(KafkaConnection kafka, String identity, Duration sessionTimeout) {
        this.identity = identity;
        Properties props = kafka.consumer(GROUP + "-" + identity, Map.of(
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis(),
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, sessionTimeout.toMillis() / 3)));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Sticky and incremental, and a member keeps its lowest partitions first: a replica that joins never takes
        // partition 0 from the one that has it (Kafka's cooperative sticky assignor may).
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, ClusterPartitionAssignor.class.getName());
        this.consumer = kafka.opened(new KafkaConsumer<>(props));
    }

    @Override
    public synchronized void start(Runnable onStart, Runnable onStop) {
        thread = new Thread(() -> run(onStart, onStop), "leader-election");
        thread.setDaemon(true);
        thread.start();
        LOG.infof("standing for the lead as %s (consumer group %s, partition %s)", identity, GROUP, LEAD);
    }

    private void run(Runnable onStart, Runnable onStop) {
        try {
            consumer.subscribe(List.of(Topics.TOPOLOGY), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> added) {
                    consumer.pause(consumer.assignment());
                    if (added.contains(LEAD) && leading.compareAndSet(false, true)) {
                        LOG.infof("leading: %s holds %s in group %s", identity, LEAD, GROUP);
                        callbacks.submit(onStart);
                    }
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                    // Closing gives the partition up too: that is leaving, not losing the lead.
                    if (running && revoked.contains(LEAD) && leading.compareAndSet(true, false)) {
                        LOG.warnf("%s no longer holds %s in group %s", identity, LEAD, GROUP);
                        callbacks.submit(onStop);
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> lost) {
                    onPartitionsRevoked(lost);
                }
            });
            while (running) {
                consumer.poll(Duration.ofMillis(500));
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (running) {
                LOG.errorf(e, "leader election stopped");
                if (leading.getAndSet(false)) {
                    callbacks.submit(onStop);
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public boolean leading() {
        return leading.get();
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        } else {
            consumer.close(Duration.ofSeconds(5));
        }
        callbacks.shutdownNow();
    }
}
