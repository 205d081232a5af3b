package io.stowage.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.stowage.bus.AtomicPublisher;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.quarkus.StartupReadiness;
import io.stowage.config.messaging.KafkaTopologyPublisher;
import io.stowage.config.messaging.RestoreFollower;
import io.stowage.config.messaging.TopologyFollower;
import io.stowage.config.settings.ConfigServiceSettings;
import io.stowage.config.source.ConfigFolder;
import io.stowage.config.source.ConfigFolderWatcher;
import io.stowage.config.topology.AppliedTopologies;
import io.stowage.config.topology.BackupSourceApplier;
import io.stowage.config.topology.ConfigReconciler;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.StowageEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * config-service's life: recover the applied topology from the bus, apply what changed while it was down, then
 * follow the config folder and the restores that carry a backupSource. All applies (files and restores) run on
 * one thread, so changes are applied in order, one at a time.
 */
@ApplicationScoped
public class ConfigService {
    private static final Logger LOG = Logger.getLogger(ConfigService.class);
    static final String SOURCE = "/stowage/config-service";

    private final ConfigServiceSettings settings;
    private final KafkaConnection kafka;
    private final Timer applyTimer;
    private final AppliedTopologies applied = new AppliedTopologies();

    private volatile boolean ready;
    private ScheduledExecutorService applyThread;
    private final AtomicPublisher transactions;
    private final EventPublisher events;
    private final StartupReadiness readiness;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile TopologyFollower topology;
    private volatile RestoreFollower restores;
    private ConfigFolderWatcher watcher;
    private ConfigReconciler reconciler;
    private ConfigFolder folder;

    ConfigService(ConfigServiceSettings settings, KafkaConnection kafka, EventPublisher events,
                  AtomicPublisher transactions, MeterRegistry registry, StartupReadiness readiness) {
        this.readiness = readiness;
        this.settings = settings;
        this.kafka = kafka;
        this.events = events;
        this.transactions = transactions;
        this.applyTimer = Timer.builder("stowage.config.apply")
                .description("From diff to committed transaction, per cluster change")
                .publishPercentiles(0.5, 0.99)
                .serviceLevelObjectives(applyBuckets())
                .register(registry);
    }

    /** Millisecond buckets up to 30 ms (the goal is 20 ms at p99), coarser beyond, so percentiles can be read off. */
    private static Duration[] applyBuckets() {
        List<Duration> buckets = new java.util.ArrayList<>();
        for (int ms = 1; ms <= 30; ms++) {
            buckets.add(Duration.ofMillis(ms));
        }
        for (int ms : new int[] {40, 50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000}) {
            buckets.add(Duration.ofMillis(ms));
        }
        return buckets.toArray(Duration[]::new);
    }

    void onStart(@Observes StartupEvent start) throws IOException {
        readiness.require("topology recovered and config folder applied", () -> ready);
        readiness.allRegistered();
        topology = new TopologyFollower(applied);
        int clusters = topology.recover(kafka, Duration.ofSeconds(60));
        LOG.infof("recovered the applied topology of %d cluster(s) from %s", clusters, Topics.TOPOLOGY);

        folder = new ConfigFolder(settings.config().folder().toAbsolutePath());
        KafkaTopologyPublisher publisher = new KafkaTopologyPublisher(transactions, events, SOURCE);
        reconciler = new ConfigReconciler(applied, publisher, folder::holds);
        applyThread = ConfigFolderWatcher.applyThread();
        applyThread.submit(this::applyFolder);
        // Queued behind the first apply of the folder, on the same thread: a restore sees the files' topology.
        restores = new RestoreFollower(new BackupSourceApplier(applied, publisher), applyThread);
        started.countDown();
        watcher = new ConfigFolderWatcher(folder.root(), settings.config().debounce(), applyThread, this::applyFolder)
                .start();
        long rescan = settings.config().rescan().toMillis();
        applyThread.scheduleWithFixedDelay(this::applyFolder, rescan, rescan, TimeUnit.MILLISECONDS);
        LOG.infof("watching %s (debounce %s)", folder.root(), settings.config().debounce());
    }

    private void applyFolder() {
        try {
            ConfigReconciler.Outcome outcome = reconciler.reconcile(folder.read());
            outcome.applied().forEach(a -> applyTimer.record(a.nanos(), TimeUnit.NANOSECONDS));
            ready = outcome.failed().isEmpty() || ready;
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not apply the config folder %s; the applied topology stays", folder.root());
        }
    }

    /** Hands a topology record of the topology-updates channel over, once the topology is recovered. */
    public void topologyUpdated(Envelope<StowageEvent> event) {
        awaitStarted();
        topology.handle(event);
    }

    /** Hands an event of the restore-events channel over, once started; returns when it is applied. */
    public void restoreEvent(Envelope<StowageEvent> event) {
        awaitStarted();
        restores.handle(event);
    }

    private void awaitStarted() {
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
        return ready;
    }

    public AppliedTopologies applied() {
        return applied;
    }

    void onStop(@Observes ShutdownEvent stop) throws IOException {
        if (watcher != null) {
            watcher.close();
        }
        if (applyThread != null) {
            applyThread.shutdown();
        }
    }
}
