package io.stowage.config.messaging;

import io.stowage.bus.AtomicPublisher;
import io.stowage.bus.InstanceId;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.TransactionalPublisher;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The main-change fan-out and its topology record as ONE Kafka transaction: a transactional producer of its own with
 * Quarkus' Kafka settings ({@code kafka.*}) and a transactional id per instance, so a restarted instance fences its
 * predecessor and replicas never fence each other. Not SmallRye's KafkaTransactions: measured slower for this
 * (docs/decisions.md).
 */
@Singleton
public class FanOutTransactions {

    @Produces
    @Singleton
    AtomicPublisher fanOut(KafkaConnection kafka, InstanceId instance) {
        return new TransactionalPublisher(kafka, instance.clientId("stowage-config-service", null));
    }

    void close(@Disposes AtomicPublisher publisher) {
        ((TransactionalPublisher) publisher).close();
    }
}
