package io.stowage.bus.quarkus;

import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.InstanceId;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;

/**
 * The consumer settings every incoming channel takes ({@code kafka-configuration=stowage-member}): static group
 * membership under this instance's identity, so a restarted instance gets its partitions back at once instead of
 * the group rebalancing twice, and incremental (cooperative) rebalancing, so only the partitions that move stop.
 */
@Singleton
public class StaticMembership {
    public static final String NAME = "stowage-member";

    @Produces
    @Singleton
    @Identifier(NAME)
    Map<String, Object> memberSettings(InstanceId instance,
                                       @ConfigProperty(name = "quarkus.application.name") String application) {
        return Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance.clientId("stowage-" + application, null),
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    }
}
