package io.stowage.backup.config;

import io.stowage.backup.schedule.BackupScheduler;
import io.stowage.backup.schedule.ScheduledBackups;
import io.stowage.events.Envelope;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.BackupSkipped;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.stowage.backup.BackupService;
import io.stowage.backup.messaging.ArchiverOwnership;
import io.stowage.backup.messaging.BackupRequestHandler;
import io.stowage.backup.messaging.KafkaWalEvents;
import io.stowage.backup.metrics.BackupMetrics;
import io.stowage.backup.metrics.WalGauges;
import io.stowage.backup.pipeline.BaseBackupRun;
import io.stowage.backup.settings.BackupServiceSettings;
import io.stowage.backup.topology.StorageOpener;
import io.stowage.backup.wal.ArchivingPauses;
import io.stowage.backup.wal.ClusterArchiver;
import io.stowage.backup.wal.WalArchivers;
import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.InstanceId;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEvents;
import io.stowage.bus.StateFollower;
import io.stowage.bus.TopologyCatchUp;
import io.stowage.events.InvalidEventException;
import io.stowage.events.Topics;
import io.stowage.storage.SecretSource;
import io.stowage.storage.kubernetes.KubernetesSecrets;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.inject.Instance;
import io.stowage.storage.StorageTuning;
import io.stowage.storage.Storages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * How backup-service's objects are made, and closed when the application stops: the state it follows (topology,
 * restores' pauses), storage access, the base backup run, WAL archiving and its ownership, the metrics, and the
 * handler of the requests channel. The classes stay plain Java; BackupService orders the start and the stop of WAL
 * archiving. The disposers run once the requests channel has stopped: SmallRye closes its consumer before the
 * application context is destroyed, and these beans are {@code @Singleton}s, destroyed after it.
 */
@Singleton
public class BackupProducers {
    private static final Logger LOG = Logger.getLogger(BackupProducers.class);

    /** Every cluster's applied topology, as the topology follower reads it. */
    @Produces
    @Singleton
    ClusterTopologies topologies() {
        return new ClusterTopologies();
    }

    /** Which clusters a restore holds paused, as the restore follower reads it. */
    @Produces
    @Singleton
    ArchivingPauses pauses(BackupServiceSettings settings) {
        return new ArchivingPauses(settings.wal().pauseLease(), java.time.Instant::now);
    }

    /**
     * Follows {@code stowage.topology} from the moment it is made; every change is reconciled with the archivers
     * (which start nothing before ArchiverOwnership says which clusters are this instance's).
     */
    @Produces
    @Singleton
    @Identifier(Topics.TOPOLOGY)
    StateFollower topologyFollower(KafkaConnection kafka, ClusterTopologies topologies, WalArchivers archivers) {
        return new StateFollower(kafka, Topics.TOPOLOGY, record -> {
            topologies.apply(record);
            archivers.reconcile();
        }).start();
    }

    void closeTopologyFollower(@Disposes @Identifier(Topics.TOPOLOGY) StateFollower follower) {
        follower.close();
    }

    /** Follows {@code stowage.restore} whole (a few events per restore): it tells which clusters are paused. */
    @Produces
    @Singleton
    @Identifier(Topics.RESTORE)
    StateFollower restoreFollower(KafkaConnection kafka, ArchivingPauses pauses, WalArchivers archivers) {
        return new StateFollower(kafka, Topics.RESTORE, record -> {
            try {
                if (record.value() != null && pauses.apply(KafkaEvents.fromRecord(record))) {
                    archivers.reconcile();
                }
            } catch (InvalidEventException e) {
                LOG.debugf("skipping an invalid restore event at offset %d: %s", record.offset(), e.getMessage());
            }
        }).start();
    }

    void closeRestoreFollower(@Disposes @Identifier(Topics.RESTORE) StateFollower follower) {
        follower.close();
    }

    /** Waits, 10 s at most, until the followed topology holds everything committed so far. */
    @Produces
    @Singleton
    TopologyCatchUp topologyCatchUp(@Identifier(Topics.TOPOLOGY) StateFollower follower) {
        return () -> follower.awaitCurrent(Duration.ofSeconds(10));
    }

    /** Secrets (S3 keys, CA bundles, PostgreSQL passwords): a folder, or the Kubernetes API. */
    @Produces
    @Singleton
    SecretSource secrets(BackupServiceSettings settings, Instance<KubernetesClient> kubernetes) {
        return KubernetesSecrets.named(settings.secretsSource(), settings.secretsFolder(), kubernetes::get,
                settings.secretsNamespace());
    }

    /** How objects move to S3 storages ({@code stowage.storage.*}). */
    @Produces
    @Singleton
    StorageTuning tuning(BackupServiceSettings settings) {
        return StorageTuning.DEFAULTS.withPartSize(settings.storage().partSizeMib() << 20)
                .withParallelism(settings.storage().parallelParts());
    }

    /** Opens a storage of a cluster from its spec, secrets resolved by name. */
    @Produces
    @Singleton
    StorageOpener storages(SecretSource secrets, StorageTuning tuning) {
        return (cluster, name, spec) -> Storages.open(cluster, name, spec, secrets, tuning);
    }

    /** Takes one base backup ({@code stowage.backup.*}). */
    @Produces
    @Singleton
    BaseBackupRun baseBackupRun(BackupServiceSettings settings) {
        BackupServiceSettings.Backup backup = settings.backup();
        return new BaseBackupRun(new BaseBackupRun.Settings(backup.zstdLevel(), backup.zstdWorkers(),
                backup.progressInterval(), backup.maxRate().orElse(null), backup.maxDuration(), backup.lease()));
    }

    @Produces
    @Singleton
    BackupMetrics backupMetrics(MeterRegistry metrics) {
        return new BackupMetrics(metrics);
    }

    /** WAL archiving's reports on the bus and in metrics, and its answers to restores' pauses and resumes. */
    @Produces
    @Singleton
    KafkaWalEvents walEvents(EventPublisher events, MeterRegistry metrics) {
        return new KafkaWalEvents(events, BackupService.SOURCE, metrics);
    }

    /** The archivers of the clusters this instance owns ({@code stowage.wal.*}). */
    @Produces
    @Singleton
    WalArchivers archivers(ClusterTopologies topologies, ArchivingPauses pauses, StorageOpener storages,
                           SecretSource secrets, KafkaWalEvents walEvents, BackupServiceSettings settings) {
        BackupServiceSettings.Wal wal = settings.wal();
        return new WalArchivers(topologies, pauses, storages, secrets,
                new ClusterArchiver.Settings(wal.spoolFolder().toAbsolutePath(), (long) wal.queueLimitMib() << 20,
                        wal.lagAlert(), wal.maxBackoff(), wal.zstdLevel()),
                walEvents, walEvents, wal.pauseTimeout())
                .watchLeases(wal.pauseLease().dividedBy(10).compareTo(Duration.ofSeconds(30)) < 0
                        ? wal.pauseLease().dividedBy(10) : Duration.ofSeconds(30));
    }

    void closeArchivers(@Disposes WalArchivers archivers) {
        archivers.close();
    }

    /**
     * Which clusters this instance archives and schedules (a consumer group on {@code stowage.topology}). Made, and
     * started, by BackupService only when {@code stowage.wal.enabled} or {@code stowage.schedules.enabled}.
     */
    @Produces
    @Singleton
    ArchiverOwnership ownership(KafkaConnection kafka, InstanceId instance, WalArchivers archivers,
                                BackupScheduler scheduler, BackupServiceSettings settings) {
        return new ArchiverOwnership(kafka, instance.value(), owns -> {
            if (settings.wal().enabled()) {
                archivers.own(owns);
            }
            if (settings.schedules().enabled()) {
                scheduler.own(owns);
            }
        });
    }

    /**
     * Fires the schedules of the clusters this instance owns; BackupService ticks it. A due time whose backup is
     * complete on its storages (looked up when this instance takes a cluster) is not fired again.
     */
    @Produces
    @Singleton
    BackupScheduler scheduler(EventPublisher events, StorageOpener storages) {
        return new BackupScheduler(new BackupScheduler.Firing() {
            @Override
            public void fire(BackupRequested request) {
                events.publishAndWait(Envelope.root(BackupService.SOURCE, request));
            }

            @Override
            public void skip(BackupSkipped skipped) {
                events.publishAndWait(Envelope.root(BackupService.SOURCE, skipped));
            }
        }, (topology, backupId, names) -> ScheduledBackups.completeOnEvery(topology, backupId, names, storages));
    }

    void closeOwnership(@Disposes ArchiverOwnership ownership) {
        ownership.close();
    }

    /** The per-cluster WAL gauges; BackupService starts them with WAL archiving. */
    @Produces
    @Singleton
    WalGauges walGauges(WalArchivers archivers, MeterRegistry metrics) {
        return new WalGauges(archivers, metrics);
    }

    void closeWalGauges(@Disposes WalGauges gauges) {
        gauges.close();
    }

    /**
     * What the requests channel hands every backup request to. A backup it cuts short while this instance stops is
     * not reported as failed: it reads BackupService's stopping flag.
     */
    @Produces
    @ApplicationScoped
    BackupRequestHandler handler(ClusterTopologies topologies, TopologyCatchUp catchUp, StorageOpener storages,
                                 SecretSource secrets, BaseBackupRun run, EventPublisher events,
                                 ArchivingPauses pauses, BackupService service, BackupMetrics metrics,
                                 BackupServiceSettings settings) {
        return new BackupRequestHandler(topologies, catchUp, storages, secrets, run, events, BackupService.SOURCE,
                pauses, service::stopping, metrics, settings.schedules().lateAfter());
    }
}
