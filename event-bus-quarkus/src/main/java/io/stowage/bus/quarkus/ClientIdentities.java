package io.stowage.bus.quarkus;

import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.ClusterPartitionAssignor;
import io.stowage.bus.InstanceId;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;

/**
 * The Kafka settings that name this instance, for the incoming channels to take with {@code kafka-configuration}:
 * computed from the instance's identity, so replicas never collide and need no per-replica configuration.
 */
@Singleton
public class ClientIdentities {
    /** Incoming channels: static membership, cooperative rebalancing. */
    public static final String MEMBER = "stowage-member";

    /**
     * Static group membership under this instance's identity, so a restarted instance gets its partitions back at
     * once instead of the group rebalancing twice; incremental (cooperative) rebalancing, so only the partitions
     * that move stop; and partition n of every topic a channel reads on one instance (ClusterPartitionAssignor), so
     * one instance holds a cluster. Kafka's cooperative sticky assignor, which Stowage used before, is named second:
     * the group keeps it until every member of a rolling upgrade offers the first.
     */
    @Produces
    @Singleton
    @Identifier(MEMBER)
    Map<String, Object> member(InstanceId instance,
                               @ConfigProperty(name = "quarkus.application.name") String application) {
        return Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance.clientId("stowage-" + application, null),
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, ClusterPartitionAssignor.class.getName() + ","
                        + CooperativeStickyAssignor.class.getName());
    }
}
