package io.stowage.resync.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import io.stowage.resync.service.CatalogKeeper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.Instance;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which clusters this instance holds: those whose partition of the inputs topics is assigned to it (the group's
 * assignor, {@code ClusterPartitionAssignor}, gives partition n of every input topic to one instance). Only the
 * holder of a cluster writes its catalog, runs its resyncs and applies its retention.
 * <p>
 * When a partition is revoked, the change being written is committed before the revocation returns, so the instance
 * that takes the partition over (in the next rebalance) reads it; that instance catches up with the catalog before it
 * handles anything ({@link #takeOver()}).
 */
@ApplicationScoped
@Default // injected by that type too, besides the channel's lookup by identifier
@Identifier(ResyncInputsChannel.CHANNEL)
public class ClusterHolding implements KafkaConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(ClusterHolding.class);

    private final Instance<CatalogKeeper> keeper;
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean tookOver = new AtomicBoolean();
    private volatile int partitions;

    ClusterHolding(Instance<CatalogKeeper> keeper) {
        this.keeper = keeper;
    }

    /** True when this instance holds the cluster now. */
    public boolean holds(String cluster) {
        int count = partitions;
        if (count == 0) {
            return false;
        }
        int n = BuiltInPartitioner.partitionForKey(cluster.getBytes(StandardCharsets.UTF_8), count);
        return assigned.stream().anyMatch(p -> p.partition() == n);
    }

    /** True once, after partitions were assigned: the next event is to be handled on a catalog caught up. */
    public boolean takeOver() {
        return tookOver.getAndSet(false);
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
        assigned.addAll(added);
        tookOver.set(true);
        LOG.infof("holding the clusters of partitions %s (of %d)", numbers(), partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
        if (revoked.isEmpty()) {
            return;
        }
        assigned.removeAll(revoked);
        // A change for one of their clusters being written now is committed before the partitions go.
        keeper.get().flush();
        LOG.infof("partitions %s revoked: holding the clusters of partitions %s", revoked, numbers());
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> lost) {
        onPartitionsRevoked(consumer, lost);
    }

    private Set<Integer> numbers() {
        Set<Integer> out = new TreeSet<>();
        assigned.forEach(p -> out.add(p.partition()));
        return out;
    }
}
