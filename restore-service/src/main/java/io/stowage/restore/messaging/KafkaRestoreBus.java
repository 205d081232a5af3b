package io.stowage.restore.messaging;

import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.TopologyCatchUp;
import io.stowage.events.Envelope;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import io.stowage.restore.service.RestoreBus;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/** The restore saga's bus on Kafka: the followed topology, catalog and restore log, and a publisher. */
public final class KafkaRestoreBus implements RestoreBus {
    private static final Logger LOG = Logger.getLogger(KafkaRestoreBus.class);
    private final ClusterTopologies topologies;
    private final TopologyCatchUp topologyCatchUp;
    private final TopologyCatchUp catalogCatchUp;
    private final RestoreLog log;
    private final EventPublisher publisher;

    /** @param catalogCatchUp the same wait as {@code topologyCatchUp}, on the catalog's follower */
    public KafkaRestoreBus(ClusterTopologies topologies, TopologyCatchUp topologyCatchUp,
                           TopologyCatchUp catalogCatchUp, RestoreLog log, EventPublisher publisher) {
        this.topologies = topologies;
        this.topologyCatchUp = topologyCatchUp;
        this.catalogCatchUp = catalogCatchUp;
        this.log = log;
        this.publisher = publisher;
    }

    @Override
    public boolean catchUpTopology() throws InterruptedException {
        return topologyCatchUp.awaitCurrent();
    }

    @Override
    public boolean catchUpCatalog() throws InterruptedException {
        return catalogCatchUp.awaitCurrent();
    }

    @Override
    public Optional<TopologyApplied> topology(String cluster) {
        return topologies.get(cluster);
    }

    @Override
    public Optional<String> topologyAppliedIn(String cluster) {
        return topologies.appliedIn(cluster);
    }

    @Override
    public boolean restoreCompleted(String cluster, String restoreId) {
        return log.completed(cluster, restoreId);
    }

    @Override
    public void report(Envelope<? extends StowageEvent> event) {
        try {
            publisher.publish(event).whenComplete((done, failure) -> {
                if (failure != null) {
                    LOG.warnf("[%s] %s not published: %s", event.correlationId(), event.type().type(),
                            failure.getMessage());
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf("[%s] %s not published: %s", event.correlationId(), event.type().type(), e.getMessage());
        }
    }

    @Override
    public void publish(Envelope<? extends StowageEvent> event) {
        publisher.publishAndWait(event);
    }

    @Override
    public Optional<Envelope<?>> ask(Envelope<? extends StowageEvent> request, Duration timeout)
            throws InterruptedException {
        publisher.publishAndWait(request);
        return log.awaitAnswer(request.id(), timeout);
    }

    @Override
    public Optional<ResyncOutcome> awaitResync(String cluster, String storage, OffsetDateTime since, Duration timeout)
            throws InterruptedException {
        return log.awaitResync(cluster, storage, since, timeout).map(o -> new ResyncOutcome(o.completed(), o.reason()));
    }

    @Override
    public Optional<ResyncOutcome> resync(Envelope<ResyncRequested> request, Duration timeout)
            throws InterruptedException {
        // A second of slack: the resync's end is stamped by resync-service's clock, not this one.
        OffsetDateTime asked = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        publisher.publishAndWait(request);
        return log.awaitResync(request.data().cluster(), request.data().storage(), asked, timeout)
                .map(o -> new ResyncOutcome(o.completed(), o.reason()));
    }
}
