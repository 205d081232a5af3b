package io.stowage.resync;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.stowage.bus.ClusterTopologies;
import io.stowage.events.data.TopologyApplied;
import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.StateFollower;
import io.stowage.bus.TransactionalPublisher;
import io.stowage.bus.quarkus.BusLiveness;
import io.stowage.bus.quarkus.StartupReadiness;
import io.stowage.events.Topics;
import io.stowage.events.Envelope;
import io.stowage.events.data.RetentionRequested;
import io.stowage.resync.catalog.Catalog;
import io.stowage.resync.messaging.ClusterHolding;
import io.stowage.resync.retention.Expiries;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * resync-service's start: read the catalog whole (it is this service's own state) and the topology, and only then
 * let the inputs channel hand events over. The objects themselves are made by CDI (config/ResyncProducers).
 */
@Singleton
public class ResyncService {
    private static final Logger LOG = Logger.getLogger(ResyncService.class);
    /** The CloudEvents source of what this service publishes. */
    public static final String SOURCE = "/stowage/resync-service";

    private final StateFollower catalogFollower;
    private final StateFollower topologyFollower;
    private final StateFollower restoreFollower;
    private final Expiries expiries;
    private final ClusterTopologies topologies;
    private final Catalog catalog;
    private final Instance<TransactionalPublisher> catalogPublisher;
    private final BusLiveness liveness;
    private final StartupReadiness readiness;
    private final ClusterHolding holding;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean ready;

    ResyncService(@Identifier(Topics.CATALOG) StateFollower catalogFollower,
                  @Identifier(Topics.TOPOLOGY) StateFollower topologyFollower,
                  @Identifier(Topics.RESTORE) StateFollower restoreFollower, Catalog catalog,
                  Instance<TransactionalPublisher> catalogPublisher, BusLiveness liveness,
                  StartupReadiness readiness, Expiries expiries, ClusterTopologies topologies,
                  ClusterHolding holding) {
        this.holding = holding;
        this.topologies = topologies;
        this.restoreFollower = restoreFollower;
        this.expiries = expiries;
        this.catalogPublisher = catalogPublisher;
        this.catalogFollower = catalogFollower;
        this.topologyFollower = topologyFollower;
        this.catalog = catalog;
        this.liveness = liveness;
        this.readiness = readiness;
    }

    /**
     * Registers readiness, then starts on a thread of its own: Quarkus opens the HTTP port only once this observer
     * returns, and readiness must answer DOWN (not a refused connection) while the state topics are read.
     */
    void onStart(@Observes StartupEvent start) {
        readiness.require("catalog and topology read", () -> ready);
        readiness.allRegistered();
        readiness.runInBackground("reading the catalog and the topology", this::start);
        holding.takeOverWith(new CatalogTakeOver());
    }

    private void start() throws InterruptedException {
        catalogFollower.requireStateTopicCompacted();
        topologyFollower.requireStateTopicCompacted();
        if (!catalogFollower.awaitCaughtUp(Duration.ofSeconds(120))) {
            throw new IllegalStateException("could not read " + Topics.CATALOG + " within 120 s");
        }
        // Followed on: the other instances write the catalog of the clusters they hold, which may come here.
        LOG.infof("catalog read: %d entries", catalog.size());
        liveness.watch(catalogFollower);
        liveness.watch(topologyFollower);
        if (!topologyFollower.awaitCaughtUp(Duration.ofSeconds(60))) {
            throw new IllegalStateException("could not read " + Topics.TOPOLOGY + " within 60 s");
        }
        // Retention must know the running restores before it removes anything: they hold their backups.
        liveness.watch(restoreFollower);
        if (!restoreFollower.awaitCaughtUp(Duration.ofSeconds(60))) {
            throw new IllegalStateException("could not read " + Topics.RESTORE + " within 60 s");
        }
        // The catalog's transactional producer is made once the state is read, before any event is handled: making
        // it fences the transactions of a predecessor with this instance's id.
        catalogPublisher.get().fence();
        started.countDown();
        ready = true;
    }

    /**
     * Taking clusters over (ClusterHolding): once this service has started, the catalog caught up with everything
     * committed (the clusters' previous holder committed its last change before it let them go); then the removals
     * a previous holder was stopped in the middle of are finished.
     */
    private final class CatalogTakeOver implements ClusterHolding.TakeOver {
        @Override
        public void catchUp() throws InterruptedException {
            awaitStarted();
            if (!catalogFollower.awaitCurrent(Duration.ofSeconds(30))) {
                throw new IllegalStateException(catalogFollower.alive() ? "the catalog is not caught up after 30 s"
                        : "the follower of " + Topics.CATALOG + " stopped: " + catalogFollower.failure().orElse("?"));
            }
        }

        @Override
        public void taken(java.util.function.Predicate<String> clusters) {
            finishInterruptedRemovals(clusters);
        }
    }

    /**
     * Applies each cluster's retention every {@code stowage.retention.interval}, for {@code maxAge} to act between
     * backups: only a run that removes or holds something says so.
     */
    @Scheduled(every = "{stowage.retention.interval}", delayed = "{stowage.retention.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void applyRetentionRegularly() {
        if (!ready) {
            return;
        }
        for (TopologyApplied t : topologies.all()) {
            if (holding.holds(t.cluster()) && t.spec() != null && t.spec().storages() != null
                    && t.spec().storages().values().stream().anyMatch(s -> s.retention() != null)) {
                expiries.soon(t.cluster(), Envelope.root(SOURCE, new RetentionRequested(t.cluster(),
                        "applied regularly (stowage.retention.interval)")));
            }
        }
    }

    /**
     * Removals a predecessor was killed in the middle of leave backups EXPIRING: each such cluster held here has its
     * next expiry.
     */
    private void finishInterruptedRemovals(java.util.function.Predicate<String> taken) {
        catalog.clustersWithBackupsExpiring().stream().filter(taken).forEach(cluster -> {
            LOG.infof("cluster %s: backups were being removed when its last holder stopped; finishing", cluster);
            expiries.soon(cluster, Envelope.root(SOURCE, new RetentionRequested(cluster,
                    "finishing removals interrupted before this instance held the cluster")));
        });
    }

    /**
     * Returns once this service has read its catalog and the topology: the inputs channel calls it before it hands
     * an event over, as the channel may deliver before startup has finished.
     */
    public void awaitStarted() {
        try {
            if (!started.await(3, TimeUnit.MINUTES)) {
                throw new IllegalStateException("resync-service has not started within 3 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    /** True once the catalog and the topology are read. */
    public boolean ready() {
        return ready;
    }
}
