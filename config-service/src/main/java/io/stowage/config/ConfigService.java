package io.stowage.config;

import io.stowage.bus.KafkaEventPublisher;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.stowage.bus.EventConsumerLoop;
import io.stowage.bus.InstanceId;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.TransactionalPublisher;
import io.stowage.config.messaging.KafkaTopologyPublisher;
import io.stowage.config.messaging.RestoreFollower;
import io.stowage.config.messaging.TopologyFollower;
import io.stowage.config.settings.ConfigServiceSettings;
import io.stowage.config.source.ConfigFolder;
import io.stowage.config.source.ConfigFolderWatcher;
import io.stowage.config.topology.AppliedTopologies;
import io.stowage.config.topology.BackupSourceApplier;
import io.stowage.config.topology.ConfigReconciler;
import io.stowage.events.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
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
    static final String CONSUMER = "stowage-config-service";
    /** Its own group: restore events are read apart from the topology, from the first one on. */
    static final String RESTORE_CONSUMER = "stowage-config-service-restores";

    private final ConfigServiceSettings settings;
    private final KafkaConnection kafka;
    private final InstanceId instance;
    private final Timer applyTimer;
    private final AppliedTopologies applied = new AppliedTopologies();

    private volatile boolean ready;
    private ScheduledExecutorService applyThread;
    private TransactionalPublisher transactions;
    private KafkaEventPublisher events;
    private EventConsumerLoop follower;
    private EventConsumerLoop restores;
    private ConfigFolderWatcher watcher;
    private ConfigReconciler reconciler;
    private ConfigFolder folder;

    ConfigService(ConfigServiceSettings settings,
                  KafkaConnection kafka, InstanceId instance,
                  MeterRegistry registry) {
        this.settings = settings;
        this.kafka = kafka;
        this.instance = instance;
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
        events = new KafkaEventPublisher(kafka, instance.clientId("stowage-config-service", null));
        transactions = new TransactionalPublisher(kafka, instance.clientId("stowage-config-service", null));
        TopologyFollower topology = new TopologyFollower(applied);
        int clusters = topology.recover(kafka, Duration.ofSeconds(60));
        LOG.infof("recovered the applied topology of %d cluster(s) from %s", clusters, Topics.TOPOLOGY);
        follower = new EventConsumerLoop(kafka, CONSUMER, List.of(Topics.TOPOLOGY), topology, events, SOURCE)
                .start();

        folder = new ConfigFolder(settings.config().folder().toAbsolutePath());
        KafkaTopologyPublisher publisher = new KafkaTopologyPublisher(transactions, events, SOURCE);
        reconciler = new ConfigReconciler(applied, publisher, folder::holds);
        applyThread = ConfigFolderWatcher.applyThread();
        applyThread.submit(this::applyFolder);
        // Queued behind the first apply of the folder, on the same thread: a restore sees the files' topology.
        restores = new EventConsumerLoop(kafka, RESTORE_CONSUMER, List.of(Topics.RESTORE),
                new RestoreFollower(new BackupSourceApplier(applied, publisher), applyThread), events, SOURCE)
                .start();
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

    /** True once the topology is recovered and the folder applied once. */
    public boolean ready() {
        return ready;
    }

    public AppliedTopologies applied() {
        return applied;
    }

    void onStop(@Observes ShutdownEvent stop) throws IOException {
        // First: a restore event being handled waits for the apply thread, which must still run to finish it.
        if (restores != null) {
            restores.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (applyThread != null) {
            applyThread.shutdown();
        }
        if (follower != null) {
            follower.close();
        }
        if (transactions != null) {
            transactions.close();
        }
        if (events != null) {
            events.close();
        }
    }
}
