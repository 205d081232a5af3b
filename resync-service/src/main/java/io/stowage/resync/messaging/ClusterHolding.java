package io.stowage.resync.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import io.stowage.resync.service.CatalogKeeper;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.Instance;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Which clusters this instance holds: those whose partition of the inputs topics is assigned to it (the group's
 * assignor, {@code ClusterPartitionAssignor}, gives partition n of every input topic to one instance), once the
 * catalog has caught up with what their previous holder wrote. Only the holder of a cluster writes its catalog, runs
 * its resyncs and applies its retention.
 * <p>
 * When partitions are assigned they are pending: a thread of their own catches the catalog up with everything
 * committed (their previous holder committed its last change before it let them go), then they are held, and the
 * removals a previous holder was stopped in the middle of are finished. No event is handled meanwhile
 * ({@link #awaitCaughtUp()}). When a partition is revoked, it is no longer held, and the change being written is
 * committed before the revocation returns, so the next holder reads it.
 * <p>
 * Each time a partition number becomes held it gets a new epoch: a resync that began under one epoch writes nothing
 * under another (the cluster went away and came back meanwhile, and its catalog may have moved on).
 */
@ApplicationScoped
@Default // injected by that type too, besides the channel's lookup by identifier
@Identifier(ResyncInputsChannel.CHANNEL)
public class ClusterHolding implements KafkaConsumerRebalanceListener, CatalogKeeper.Holding {
    private static final Logger LOG = Logger.getLogger(ClusterHolding.class);

    /** What taking clusters over takes: the catalog caught up, then what is to be done for the clusters taken. */
    public interface TakeOver {
        /** Returns once the catalog holds everything committed so far; throws when it cannot now. */
        void catchUp() throws InterruptedException;

        void taken(Predicate<String> clusters);
    }

    private final Instance<CatalogKeeper> keeper;
    private final Object lock = new Object();
    private final Set<TopicPartition> held = new HashSet<>();
    private final Set<TopicPartition> pending = new HashSet<>();
    private final Map<Integer, Long> epochs = new HashMap<>();
    private long lastEpoch;
    private volatile int partitions;
    private volatile TakeOver takeOver;
    private final ExecutorService catchUps = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cluster-take-over");
        t.setDaemon(true);
        return t;
    });

    ClusterHolding(Instance<CatalogKeeper> keeper) {
        this.keeper = keeper;
    }

    /** Set once by ResyncService: partitions assigned before stay pending until then. */
    public void takeOverWith(TakeOver takeOver) {
        this.takeOver = takeOver;
        catchUps.submit(this::catchUp);
    }

    private int number(String cluster) {
        int count = partitions;
        return count == 0 ? -1 : BuiltInPartitioner.partitionForKey(cluster.getBytes(StandardCharsets.UTF_8), count);
    }

    /** True when this instance holds the cluster now. */
    @Override
    public boolean holds(String cluster) {
        return epoch(cluster) >= 0;
    }

    /** The epoch under which this instance holds the cluster, or -1. */
    @Override
    public long epoch(String cluster) {
        int n = number(cluster);
        synchronized (lock) {
            return held.stream().anyMatch(p -> p.partition() == n) ? epochs.getOrDefault(n, -1L) : -1L;
        }
    }

    /** Returns once no assigned partition waits for the catalog to catch up. */
    public void awaitCaughtUp() throws InterruptedException {
        synchronized (lock) {
            while (!pending.isEmpty()) {
                lock.wait(1_000);
            }
        }
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> added) {
        if (added.isEmpty()) {
            return;
        }
        if (partitions == 0) {
            // Every contract topic has the same partition count: the topic's count is the key's space.
            partitions = consumer.partitionsFor(added.iterator().next().topic()).size();
        }
        synchronized (lock) {
            pending.addAll(added);
        }
        catchUps.submit(this::catchUp);
    }

    private void catchUp() {
        TakeOver t = takeOver;
        Set<TopicPartition> batch;
        synchronized (lock) {
            batch = new HashSet<>(pending);
        }
        if (t == null || batch.isEmpty()) {
            return;
        }
        while (true) {
            try {
                t.catchUp();
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("partitions %s wait: %s; trying again", numbers(batch), e.getMessage());
                try {
                    TimeUnit.SECONDS.sleep(1);
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        Set<Integer> taken = new TreeSet<>();
        synchronized (lock) {
            batch.retainAll(pending); // revoked meanwhile: not taken
            pending.removeAll(batch);
            held.addAll(batch);
            for (TopicPartition p : batch) {
                if (taken.add(p.partition())) {
                    epochs.put(p.partition(), ++lastEpoch);
                }
            }
            lock.notifyAll();
        }
        if (!taken.isEmpty()) {
            LOG.infof("holding the clusters of partitions %s (of %d), the catalog caught up", heldNumbers(),
                    partitions);
            t.taken(cluster -> taken.contains(number(cluster)));
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
        if (revoked.isEmpty()) {
            return;
        }
        synchronized (lock) {
            pending.removeAll(revoked);
            held.removeAll(revoked);
            lock.notifyAll();
        }
        // A change for one of their clusters being written now is committed before the partitions go.
        keeper.get().flush();
        LOG.infof("partitions %s revoked: holding the clusters of partitions %s", numbers(revoked), heldNumbers());
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> lost) {
        onPartitionsRevoked(consumer, lost);
    }

    private Set<Integer> heldNumbers() {
        synchronized (lock) {
            return numbers(held);
        }
    }

    private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
        Set<Integer> out = new TreeSet<>();
        partitions.forEach(p -> out.add(p.partition()));
        return out;
    }

    @PreDestroy
    void close() {
        catchUps.shutdownNow();
    }
}
