package io.stowage.backup;

import io.quarkus.scheduler.Scheduled;
import io.stowage.backup.schedule.BackupScheduler;
import io.stowage.backup.wal.ArchivingPauses;
import java.time.Instant;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.stowage.backup.messaging.ArchiverOwnership;
import io.stowage.backup.metrics.WalGauges;
import io.stowage.backup.settings.BackupServiceSettings;
import io.stowage.backup.wal.WalArchivers;
import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.StateFollower;
import io.stowage.bus.quarkus.BusLiveness;
import io.stowage.bus.quarkus.StartupReadiness;
import io.stowage.events.Topics;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * backup-service's start and stop: read the topology and the restores' pauses, then let the requests channel hand
 * backups over (BackupRequestsChannel: one at a time per cluster, several clusters at once) and archive the WAL of
 * the clusters this instance owns; at the end, stop without reporting what the stop cut short. The objects
 * themselves are made by CDI (config/BackupProducers).
 *
 * <p>A {@code @Singleton}, not {@code @ApplicationScoped}: the backup handler holds this very instance (there is
 * no client proxy), so the stopping flag it reads stays the one set here while the application context is torn
 * down.
 */
@Singleton
public class BackupService {
    private static final Logger LOG = Logger.getLogger(BackupService.class);
    /** The CloudEvents source of what this service publishes. */
    public static final String SOURCE = "/stowage/backup-service";

    private final BackupServiceSettings settings;
    private final StateFollower topologyFollower;
    private final StateFollower restoreFollower;
    private final ClusterTopologies topologies;
    private final WalArchivers archivers;
    private final BackupScheduler scheduler;
    private final ArchivingPauses pauses;
    private final Instance<ArchiverOwnership> ownerships;
    private final WalGauges walGauges;
    private final BusLiveness liveness;
    private final StartupReadiness readiness;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean ready;
    private volatile boolean stopping;
    private volatile ArchiverOwnership ownership;

    BackupService(BackupServiceSettings settings, @Identifier(Topics.TOPOLOGY) StateFollower topologyFollower,
                  @Identifier(Topics.RESTORE) StateFollower restoreFollower, ClusterTopologies topologies,
                  WalArchivers archivers, Instance<ArchiverOwnership> ownerships, WalGauges walGauges,
                  BusLiveness liveness, StartupReadiness readiness, BackupScheduler scheduler, ArchivingPauses pauses) {
        this.scheduler = scheduler;
        this.pauses = pauses;
        this.settings = settings;
        this.topologyFollower = topologyFollower;
        this.restoreFollower = restoreFollower;
        this.topologies = topologies;
        this.archivers = archivers;
        this.ownerships = ownerships;
        this.walGauges = walGauges;
        this.liveness = liveness;
        this.readiness = readiness;
    }

    /**
     * Registers readiness, then starts on a thread of its own: Quarkus opens the HTTP port only once this observer
     * returns, and readiness must answer DOWN (not a refused connection) while the state topics are read.
     */
    void onStart(@Observes StartupEvent start) {
        readiness.require("topology and restores read", () -> ready);
        readiness.allRegistered();
        readiness.runInBackground("reading the topology and the restores", this::start);
    }

    private void start() throws InterruptedException {
        topologyFollower.requireStateTopicCompacted();
        if (!topologyFollower.awaitCaughtUp(Duration.ofSeconds(60))) {
            throw new IllegalStateException("could not read " + Topics.TOPOLOGY + " within 60 s");
        }
        liveness.watch(topologyFollower);
        LOG.infof("following the topology of %d cluster(s)", topologies.size());
        liveness.watch(restoreFollower);
        if (!restoreFollower.awaitCaughtUp(Duration.ofSeconds(60))) {
            throw new IllegalStateException("could not read " + Topics.RESTORE + " within 60 s");
        }
        started.countDown();
        if (settings.wal().enabled() || settings.schedules().enabled()) {
            // Made only now: its group membership hands this instance clusters to archive and schedule, on the state
            // just read.
            ownership = ownerships.get().start();
            liveness.watch("cluster ownership (WAL archiving, schedules)", ownership::alive);
        }
        if (settings.wal().enabled()) {
            walGauges.start();
        }
        ready = true;
    }

    /**
     * Fires the due schedules of the clusters this instance owns, every {@code stowage.schedules.tick}; a tick that
     * runs long is not run twice at once.
     */
    @Scheduled(every = "{stowage.schedules.tick}", delayed = "{stowage.schedules.tick}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void fireSchedules() {
        if (!ready || stopping || !settings.schedules().enabled()) {
            return;
        }
        scheduler.tick(new BackupScheduler.Clusters() {
            @Override
            public java.util.Collection<io.stowage.events.data.TopologyApplied> all() {
                return topologies.all();
            }

            @Override
            public java.util.Optional<Instant> appliedAt(String cluster) {
                return topologies.appliedAt(cluster);
            }

            @Override
            public java.util.Optional<String> restoreOf(String cluster) {
                return pauses.pausedBy(cluster).map(ArchivingPauses.Request::restoreId);
            }
        }, Instant.now());
    }

    /**
     * Returns once the topology and the restores' pauses are read: the requests channel calls it before it hands a
     * backup over, as it may deliver before startup has finished.
     */
    public void awaitStarted() {
        try {
            if (!started.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("backup-service has not started within 2 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    /** True once this instance is stopping: a backup cut short now is not reported as failed. */
    public boolean stopping() {
        return stopping;
    }

    /** True once the topology and the restores' pauses are read (and WAL archiving started, when enabled). */
    public boolean ready() {
        return ready;
    }

    /**
     * Quarkus fires ShutdownEvent before it destroys any bean. So the stopping flag is set before
     * BackupRequestsChannel's {@code @PreDestroy} (when the application context is destroyed) closes its
     * ClusterWork, which interrupts the running backups: their handler sees the flag and publishes no outcome, and
     * the requests stay unacknowledged for the next owner of their partitions.
     */
    void onStop(@Observes ShutdownEvent stop) {
        stopping = true;
        // WAL archiving stops now, while the bus still takes its last reports and pause answers: SmallRye closes the
        // emitter's channel before the application context is destroyed, so before any disposer runs. Their
        // disposers then find them closed.
        ArchiverOwnership o = ownership;
        if (o != null) {
            o.close();
        }
        archivers.close();
    }
}
