package io.stowage.config;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.quarkus.StartupReadiness;
import io.stowage.config.config.ConfigProducers;
import io.stowage.config.messaging.TopologyFollower;
import io.stowage.config.settings.ConfigServiceSettings;
import io.stowage.config.source.ConfigFolderWatcher;
import io.stowage.config.topology.FolderApplier;
import io.stowage.events.Topics;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * config-service's start: recover the applied topology from the bus, apply what changed while it was down, then
 * let the channels hand records over and follow the config folder. All applies (files and restores) run on one
 * thread, so changes are applied in order, one at a time. The objects themselves are made by CDI
 * (config/ConfigProducers).
 */
@Singleton
public class ConfigService {
    private static final Logger LOG = Logger.getLogger(ConfigService.class);
    /** The CloudEvents source of what this service publishes. */
    public static final String SOURCE = "/stowage/config-service";

    private final ConfigServiceSettings settings;
    private final KafkaConnection kafka;
    private final StartupReadiness readiness;
    private final TopologyFollower topology;
    private final FolderApplier folder;
    private final ScheduledExecutorService applyThread;
    private final ConfigFolderWatcher watcher;
    private final CountDownLatch started = new CountDownLatch(1);

    ConfigService(ConfigServiceSettings settings, KafkaConnection kafka, StartupReadiness readiness,
                  TopologyFollower topology, FolderApplier folder,
                  @Identifier(ConfigProducers.APPLY_THREAD) ScheduledExecutorService applyThread,
                  ConfigFolderWatcher watcher) {
        this.settings = settings;
        this.kafka = kafka;
        this.readiness = readiness;
        this.topology = topology;
        this.folder = folder;
        this.applyThread = applyThread;
        this.watcher = watcher;
    }

    /**
     * Registers readiness, then starts on a thread of its own: Quarkus opens the HTTP port only once this observer
     * returns, and readiness must answer DOWN (not a refused connection) while the state topics are read.
     */
    void onStart(@Observes StartupEvent start) {
        readiness.require("topology recovered and config folder applied", folder::appliedOnce);
        readiness.allRegistered();
        readiness.runInBackground("recovering the topology and applying the config folder", this::start);
    }

    private void start() {
        int clusters = topology.recover(kafka, Duration.ofSeconds(60));
        LOG.infof("recovered the applied topology of %d cluster(s) from %s", clusters, Topics.TOPOLOGY);
        applyThread.submit(folder::apply);
        // Restores are applied on the same thread, queued behind this first apply: a restore sees the files' topology.
        started.countDown();
        watcher.start();
        long rescan = settings.config().rescan().toMillis();
        applyThread.scheduleWithFixedDelay(folder::apply, rescan, rescan, TimeUnit.MILLISECONDS);
        LOG.infof("watching %s (debounce %s)", settings.config().folder().toAbsolutePath(),
                settings.config().debounce());
    }

    /**
     * Returns once the topology is recovered and the first apply of the folder is queued: the channels call it
     * before they hand a record over, as they may deliver before startup has finished.
     */
    public void awaitStarted() {
        try {
            if (!started.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("config-service has not started within 2 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    /** True once the topology is recovered and the folder applied once. */
    public boolean ready() {
        return folder.appliedOnce();
    }
}
