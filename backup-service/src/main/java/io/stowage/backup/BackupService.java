package io.stowage.backup;


import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Gauge;
import io.stowage.backup.messaging.ArchiverOwnership;
import io.stowage.backup.messaging.BackupRequestHandler;
import io.stowage.backup.metrics.BackupMetrics;
import io.stowage.backup.messaging.KafkaWalEvents;
import io.stowage.backup.pipeline.BaseBackupRun;
import io.stowage.backup.settings.BackupServiceSettings;
import io.stowage.bus.ClusterTopologies;
import io.stowage.backup.wal.ArchivingPauses;
import io.stowage.backup.wal.ClusterArchiver;
import io.stowage.backup.wal.WalArchivers;
import io.stowage.bus.KafkaEvents;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.InstanceId;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.StateFollower;
import io.stowage.bus.quarkus.BusLiveness;
import io.stowage.bus.quarkus.StartupReadiness;
import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.Topics;
import io.stowage.storage.SecretsFolder;
import io.stowage.storage.StorageTuning;
import io.stowage.storage.Storages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * backup-service's life: follow the topology and the restores' pauses, archive the WAL of the clusters this instance
 * owns, and take the base backups the requests channel hands it (BackupRequestsChannel: one at a time per cluster,
 * several clusters at once).
 */
@ApplicationScoped
public class BackupService {
    private static final Logger LOG = Logger.getLogger(BackupService.class);
    static final String SOURCE = "/stowage/backup-service";

    private final BackupServiceSettings settings;
    private final KafkaConnection kafka;
    private final InstanceId instance;
    private final ClusterTopologies topologies = new ClusterTopologies();
    private volatile boolean ready;
    private StateFollower follower;
    private final EventPublisher events;
    private final BusLiveness liveness;
    private final StartupReadiness readiness;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile BackupRequestHandler backups;
    private final ArchivingPauses pauses = new ArchivingPauses();
    private final MeterRegistry metrics;
    private StateFollower restores;
    private volatile WalArchivers archivers;
    private ArchiverOwnership ownership;
    private ScheduledExecutorService gauges;

    BackupService(BackupServiceSettings settings, KafkaConnection kafka, InstanceId instance, MeterRegistry metrics,
                  EventPublisher events, BusLiveness liveness, StartupReadiness readiness) {
        this.settings = settings;
        this.liveness = liveness;
        this.readiness = readiness;
        this.events = events;
        this.kafka = kafka;
        this.instance = instance;
        this.metrics = metrics;
    }

    void onStart(@Observes StartupEvent start) throws InterruptedException {
        readiness.require("topology and restores read", () -> ready);
        readiness.allRegistered();
        follower = new StateFollower(kafka, Topics.TOPOLOGY, record -> {
            topologies.apply(record);
            reconcileArchivers();
        }).start();
        if (!follower.awaitCaughtUp(Duration.ofSeconds(60))) {
            throw new IllegalStateException("could not read " + Topics.TOPOLOGY + " within 60 s");
        }
        liveness.watch(follower);
        LOG.infof("following the topology of %d cluster(s)", topologies.size());
        // The restore topic is small (a few events per restore): read whole, it tells which clusters are paused.
        restores = new StateFollower(kafka, Topics.RESTORE, record -> {
            try {
                if (record.value() != null && pauses.apply(KafkaEvents.fromRecord(record))) {
                    reconcileArchivers();
                }
            } catch (InvalidEventException e) {
                LOG.debugf("skipping an invalid restore event at offset %d: %s", record.offset(), e.getMessage());
            }
        }).start();
        liveness.watch(restores);
        if (!restores.awaitCaughtUp(Duration.ofSeconds(60))) {
            throw new IllegalStateException("could not read " + Topics.RESTORE + " within 60 s");
        }
        SecretsFolder secrets = new SecretsFolder(settings.secretsFolder().toAbsolutePath());
        BaseBackupRun run = new BaseBackupRun(new BaseBackupRun.Settings(settings.backup().zstdLevel(),
                settings.backup().zstdWorkers(), settings.backup().progressInterval(),
                settings.backup().maxRate().orElse(null)));
        StorageTuning tuning = StorageTuning.DEFAULTS.withPartSize(settings.storage().partSizeMib() << 20)
                .withParallelism(settings.storage().parallelParts());
        backups = new BackupRequestHandler(topologies,
                () -> follower.awaitCurrent(Duration.ofSeconds(10)),
                (cluster, name, spec) -> Storages.open(cluster, name, spec, secrets, tuning), secrets, run, events, SOURCE,
                pauses, () -> stopping, new BackupMetrics(metrics));
        started.countDown();
        if (settings.wal().enabled()) {
            startWalArchiving(secrets, tuning);
        }
        ready = true;
    }

    /**
     * Takes a requested backup to its outcome (the requests channel calls it off its stream). Waits for this
     * service to have read the topology first: the channel may deliver before startup has finished.
     */
    public void takeBackup(Envelope<BackupRequested> request) {
        try {
            if (!started.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("backup-service has not started within 2 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
        backups.handle(request);
    }

    private void startWalArchiving(SecretsFolder secrets, StorageTuning tuning) {
        BackupServiceSettings.Wal wal = settings.wal();
        KafkaWalEvents walEvents = new KafkaWalEvents(events, SOURCE, metrics);
        archivers = new WalArchivers(topologies, pauses,
                (cluster, name, spec) -> Storages.open(cluster, name, spec, secrets, tuning), secrets,
                new ClusterArchiver.Settings(wal.spoolFolder().toAbsolutePath(), (long) wal.queueLimitMib() << 20,
                        wal.lagAlert(), wal.maxBackoff(), wal.zstdLevel()),
                walEvents, walEvents, wal.pauseTimeout());
        ownership = new ArchiverOwnership(kafka, instance.value(), archivers).start();
        liveness.watch("WAL archiving ownership", ownership::alive);
        registerWalGauges();
    }

    private void reconcileArchivers() {
        WalArchivers a = archivers;
        if (a != null) {
            a.reconcile();
        }
    }

    /** Per-cluster queue and lag gauges: registered when a cluster's archiver first runs here; 0 once it stops. */
    private void registerWalGauges() {
        Map<String, Function<ClusterArchiver.Status, Number>> measures = Map.of(
                "stowage.wal.queue.segments", ClusterArchiver.Status::queuedSegments,
                "stowage.wal.queue.bytes", ClusterArchiver.Status::queuedBytes,
                "stowage.wal.lag.seconds", s -> s.oldestWait().toMillis() / 1000.0,
                "stowage.wal.lagging", s -> s.lagging() ? 1 : 0);
        java.util.Set<String> registered = new java.util.HashSet<>();
        gauges = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wal-gauges");
            t.setDaemon(true);
            return t;
        });
        gauges.scheduleWithFixedDelay(() -> {
            try {
                for (String cluster : archivers.running().keySet()) {
                    if (registered.add(cluster)) {
                        measures.forEach((name, measure) -> Gauge.builder(name, archivers, a -> {
                                    ClusterArchiver archiver = a.running().get(cluster);
                                    return archiver == null ? 0 : measure.apply(archiver.status()).doubleValue();
                                }).tag("cluster", cluster).strongReference(true).register(metrics));
                    }
                }
            } catch (RuntimeException e) {
                LOG.warnf("could not register WAL gauges: %s", e.getMessage());
            }
        }, 0, 1, TimeUnit.SECONDS);
    }

    public boolean ready() {
        return ready;
    }

    void onStop(@Observes ShutdownEvent stop) {
        stopping = true;
        if (gauges != null) {
            gauges.shutdownNow();
        }
        if (ownership != null) {
            ownership.close();
        }
        if (archivers != null) {
            archivers.close();
        }
        if (restores != null) {
            restores.close();
        }
        if (follower != null) {
            follower.close();
        }
    }
}
