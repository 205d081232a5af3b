package io.stowage.backup.messaging;

import io.stowage.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import io.stowage.bus.KafkaConnection;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Which clusters this instance archives and schedules: its share of a consumer group on {@code stowage.topology}, whose records
 * are keyed by cluster. Kafka gives each partition to exactly one live member, so each cluster's archiver runs on
 * exactly one instance; when an instance dies its partitions move to the others after the session timeout, and they
 * resume from the cluster's replication slot. (The slot itself admits one streaming connection at a time, so even a
 * member that has not noticed it lost a partition cannot archive beside its successor.)
 */
public final class ArchiverOwnership implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ArchiverOwnership.class);
    public static final String GROUP = "stowage-wal-archivers";

    private final KafkaConsumer<String, byte[]> consumer;
    private final Consumer<Predicate<String>> owners;
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile int partitions;
    private volatile boolean running = true;
    private volatile boolean died;

    /** @param owners told, at each change, which clusters are this instance's (the WAL archivers, the scheduler) */
    public ArchiverOwnership(KafkaConnection kafka, String instanceId, Consumer<Predicate<String>> owners) {
        Properties props = kafka.consumer(GROUP + "-" + instanceId, Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        // Static membership: a restarted instance takes its clusters back without moving anyone else's archiver.
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, GROUP + "-" + instanceId);
        // Only the partitions that really move are revoked: a joining instance does not restart every archiver.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        this.consumer = kafka.opened(new KafkaConsumer<>(props));
        this.owners = owners;
        this.thread = new Thread(this::run, "wal-ownership");
        thread.setDaemon(true);
    }

    public ArchiverOwnership start() {
        partitions = consumer.partitionsFor(Topics.TOPOLOGY, Duration.ofSeconds(60)).size();
        thread.start();
        return this;
    }

    /** The partition of {@code stowage.topology} (and of every contract topic) a cluster's records go to. */
    static int partitionOf(String cluster, int partitions) {
        return BuiltInPartitioner.partitionForKey(cluster.getBytes(StandardCharsets.UTF_8), partitions);
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.TOPOLOGY), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                    revoked.forEach(p -> owned.remove(p.partition()));
                    if (!revoked.isEmpty()) {
                        LOG.infof("WAL archiving: partitions %s move away", revoked);
                        apply();
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                    assigned.forEach(p -> owned.add(p.partition()));
                    if (!assigned.isEmpty()) {
                        LOG.infof("WAL archiving: this instance now owns partitions %s", owned);
                        apply();
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> lost) {
                    onPartitionsRevoked(lost);
                }
            });
            while (running) {
                consumer.poll(Duration.ofSeconds(1)); // membership only: the records are the topology follower's
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            died = true;
            LOG.errorf(e, "WAL archiving ownership stopped");
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** False once the membership loop has stopped on an error: no cluster's archiver moves here or away any more. */
    public boolean alive() {
        return !died;
    }

    private void apply() {
        Set<Integer> mine = Set.copyOf(owned);
        int n = partitions;
        owners.accept(cluster -> mine.contains(partitionOf(cluster, n)));
    }

    /** Leaves the group; the archivers are stopped by their owner. Closing it again does nothing. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
