package io.stowage.restore;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.StateFollower;
import io.stowage.bus.quarkus.BusLiveness;
import io.stowage.bus.quarkus.StartupReadiness;
import io.stowage.events.Topics;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * restore-service's start and stop: read the topology, the catalog, and the restore and resync topics, then let
 * the requests channel hand restores over (RestoreRequestsChannel: one at a time per cluster, several clusters at
 * once); at the end, stop without reporting what the stop cut short. The objects themselves are made by CDI
 * (config/RestoreProducers).
 *
 * <p>A {@code @Singleton}, not {@code @ApplicationScoped}: the requests channel holds this very instance (there is
 * no client proxy), so the stopping flag it reads stays the one set here while the application context is torn
 * down.
 */
@Singleton
public class RestoreService {
    private static final Logger LOG = Logger.getLogger(RestoreService.class);
    /** The CloudEvents source of what this service publishes. */
    public static final String SOURCE = "/stowage/restore-service";

    private final List<StateFollower> followers;
    private final BusLiveness liveness;
    private final StartupReadiness readiness;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean ready;
    private volatile boolean stopping;

    RestoreService(@Identifier(Topics.TOPOLOGY) StateFollower topology,
                   @Identifier(Topics.CATALOG) StateFollower catalog,
                   @Identifier(Topics.RESTORE) StateFollower restores,
                   @Identifier(Topics.RESYNC) StateFollower resyncs,
                   BusLiveness liveness, StartupReadiness readiness) {
        this.followers = List.of(topology, catalog, restores, resyncs);
        this.liveness = liveness;
        this.readiness = readiness;
    }

    /**
     * Registers readiness, then starts on a thread of its own: Quarkus opens the HTTP port only once this observer
     * returns, and readiness must answer DOWN (not a refused connection) while the state topics are read.
     */
    void onStart(@Observes StartupEvent start) {
        readiness.require("topology, catalog and restore history read", () -> ready);
        readiness.allRegistered();
        readiness.runInBackground("reading the topology, the catalog and the restore history", this::start);
    }

    private void start() throws InterruptedException {
        followers.forEach(StateFollower::requireStateTopicCompacted);
        for (StateFollower follower : followers) {
            liveness.watch(follower);
            if (!follower.awaitCaughtUp(Duration.ofSeconds(120))) {
                throw new IllegalStateException("could not read " + follower.topic() + " within 120 s");
            }
        }
        LOG.infof("topology, catalog and restore history read");
        started.countDown();
        ready = true;
    }

    /**
     * Returns once the topology, the catalog and the restore history are read: the requests channel calls it before
     * it hands a restore over, as it may deliver before startup has finished.
     */
    public void awaitStarted() {
        try {
            if (!started.await(3, TimeUnit.MINUTES)) {
                throw new IllegalStateException("restore-service has not started within 3 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    /** True once this instance is stopping: a restore cut short now is left to the next owner of its request. */
    public boolean stopping() {
        return stopping;
    }

    /** True once the topology, the catalog and the restore history are read. */
    public boolean ready() {
        return ready;
    }

    /**
     * Quarkus fires ShutdownEvent before it destroys any bean. So the stopping flag is set before
     * RestoreRequestsChannel's {@code @PreDestroy} (when the application context is destroyed) closes its
     * ClusterWork, which interrupts the running restores: the channel sees the flag and leaves their requests
     * unacknowledged, for the next owner of their partitions, whose runs skip the steps done.
     */
    void onStop(@Observes ShutdownEvent stop) {
        stopping = true;
    }
}
