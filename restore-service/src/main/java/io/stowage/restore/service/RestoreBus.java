package io.stowage.restore.service;

import io.stowage.events.Envelope;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;

import java.time.Duration;
import java.util.Optional;

/** What the restore saga needs from the bus, and nothing of how: restore-service's messaging implements it on Kafka. */
public interface RestoreBus {

    /** How a storage's resync ended: completed, or failed with its reason. */
    record ResyncOutcome(boolean completed, String reason) {
    }

    /** Waits until the followed topology holds everything committed so far; false if it could not in time. */
    boolean catchUpTopology() throws InterruptedException;

    /** Waits until the followed catalog holds everything committed so far; false if it could not in time. */
    boolean catchUpCatalog() throws InterruptedException;

    /** The correlation id of the change that made the cluster's current topology, as followed so far. */
    Optional<String> topologyAppliedIn(String cluster);

    /** The cluster's applied topology, as followed so far. */
    Optional<TopologyApplied> topology(String cluster);

    /** Whether this restore completed already: a redelivered request is then not run again. */
    boolean restoreCompleted(String cluster, String restoreId);

    /**
     * Sends a report (a step, a heartbeat) without waiting: the restore goes on whatever the broker does, and a
     * report the broker never takes is logged, not thrown.
     */
    void report(Envelope<? extends StowageEvent> event);

    /**
     * Publishes an event and waits until the broker has it.
     *
     * @throws io.stowage.bus.BusUnavailable when the broker did not take it in time
     */
    void publish(Envelope<? extends StowageEvent> event);

    /** Publishes a request and waits for the event that answers it (its causation); empty after {@code timeout}. */
    Optional<Envelope<?>> ask(Envelope<? extends StowageEvent> request, Duration timeout) throws InterruptedException;

    /** Waits for a resync of the storage that ends at or after {@code since}, asked by anyone; empty after timeout. */
    Optional<ResyncOutcome> awaitResync(String cluster, String storage, java.time.OffsetDateTime since,
                                        Duration timeout) throws InterruptedException;

    /** Publishes a resync request and waits until that storage's resync ends; empty after {@code timeout}. */
    Optional<ResyncOutcome> resync(Envelope<ResyncRequested> request, Duration timeout) throws InterruptedException;
}
