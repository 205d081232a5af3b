package io.stowage.config.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.AtomicPublisher;
import io.stowage.bus.EventPublisher;
import io.stowage.config.ConfigService;
import io.stowage.config.kubernetes.BackupActivity;
import io.stowage.config.messaging.KafkaTopologyPublisher;
import io.stowage.config.messaging.RestoreFollower;
import io.stowage.config.messaging.TopologyFollower;
import io.stowage.config.settings.ConfigServiceSettings;
import io.stowage.config.source.ConfigFolder;
import io.stowage.config.source.ConfigFolderWatcher;
import io.stowage.config.topology.AppliedTopologies;
import io.stowage.config.topology.BackupSourceApplier;
import io.stowage.config.topology.ConfigReconciler;
import io.stowage.config.topology.FolderApplier;
import io.stowage.config.topology.TopologyPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * How config-service's objects are made, and closed when the application stops: the applied topology, the folder
 * and its watcher, the one apply thread, the reconciler and the backupSource applier, and the handlers of the two
 * channels. The classes stay plain Java (their tests make them with {@code new}); ConfigService orders the start.
 * The disposers run once the channels have stopped: SmallRye closes their consumers before the application context
 * is destroyed, and these beans are {@code @Singleton}s, destroyed after it.
 */
@Singleton
public class ConfigProducers {
    /** The qualifier of the one thread that applies config: file changes and restores, in order, one at a time. */
    public static final String APPLY_THREAD = "config-apply";

    /** The topology in force per cluster, recovered from {@code stowage.topology} at start. */
    @Produces
    @Singleton
    AppliedTopologies applied() {
        return new AppliedTopologies();
    }

    /** The GitOps folder ({@code stowage.config.folder}). */
    @Produces
    @Singleton
    ConfigFolder folder(ConfigServiceSettings settings) {
        return new ConfigFolder(settings.config().folder().toAbsolutePath());
    }

    /** A plan as one transaction (KafkaTransactions), refusals through the emitter. */
    @Produces
    @Singleton
    KafkaTopologyPublisher publisher(AtomicPublisher transactions, EventPublisher events) {
        return new KafkaTopologyPublisher(transactions, events, ConfigService.SOURCE);
    }

    /** Answers only for the clusters this folder applied. */
    @Produces
    @Singleton
    ConfigReconciler reconciler(AppliedTopologies applied, TopologyPublisher publisher, ConfigFolder folder) {
        return new ConfigReconciler(applied, publisher, folder::holds);
    }

    @Produces
    @Singleton
    FolderApplier folderApplier(ConfigFolder folder, ConfigReconciler reconciler, MeterRegistry registry) {
        return new FolderApplier(folder, reconciler, registry);
    }

    @Produces
    @Singleton
    BackupSourceApplier backupSources(AppliedTopologies applied, TopologyPublisher publisher) {
        return new BackupSourceApplier(applied, publisher);
    }

    @Produces
    @Singleton
    @Identifier(APPLY_THREAD)
    ScheduledExecutorService applyThread() {
        return ConfigFolderWatcher.applyThread();
    }

    void closeApplyThread(@Disposes @Identifier(APPLY_THREAD) ScheduledExecutorService applyThread) {
        applyThread.shutdown();
    }

    /** Applies the folder on the apply thread once a burst of file events is over; ConfigService starts it. */
    @Produces
    @Singleton
    ConfigFolderWatcher watcher(ConfigFolder folder, ConfigServiceSettings settings,
                                @Identifier(APPLY_THREAD) ScheduledExecutorService applyThread,
                                FolderApplier applier) throws IOException {
        return new ConfigFolderWatcher(folder.root(), settings.config().debounce(), applyThread, applier::apply);
    }

    void closeWatcher(@Disposes ConfigFolderWatcher watcher) throws IOException {
        watcher.close();
    }

    /** What the topology-updates channel hands every record to; it recovers the topology at start too. */
    @Produces
    @ApplicationScoped
    TopologyFollower topologyFollower(AppliedTopologies applied) {
        return new TopologyFollower(applied);
    }

    /** Completed and failed backups, for the BackupConfig resources' status and Events. */
    @Produces
    @Singleton
    BackupActivity backupActivity() {
        return new BackupActivity();
    }

    /** What the restore-events channel hands every event to: applied on the apply thread, waited for. */
    @Produces
    @ApplicationScoped
    RestoreFollower restoreFollower(BackupSourceApplier applier,
                                    @Identifier(APPLY_THREAD) ScheduledExecutorService applyThread) {
        return new RestoreFollower(applier, applyThread);
    }
}
