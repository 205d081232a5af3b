package io.stowage.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.ChannelRegistry;
import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.CatalogRecords;
import io.stowage.bus.CatalogView;
import io.stowage.bus.ContractTopics;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.InstanceId;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.StateFollower;
import io.stowage.bus.quarkus.BusLiveness;
import io.stowage.bus.TransactionalPublisher;
import io.stowage.bus.quarkus.StartupReadiness;
import io.stowage.config.config.ConfigProducers;
import io.stowage.config.kubernetes.BackupActivity;
import io.stowage.config.kubernetes.BackupConfigResources;
import io.stowage.config.kubernetes.BackupResources;
import io.stowage.config.kubernetes.ResourceApplier;
import io.stowage.config.kubernetes.ResourceEvents;
import io.stowage.config.kubernetes.RestoreResources;
import io.stowage.config.leader.Election;
import io.stowage.config.leader.KafkaElection;
import io.stowage.config.leader.Leadership;
import io.stowage.config.messaging.ConfigChannels;
import io.stowage.config.messaging.RestoreFollower;
import io.stowage.config.messaging.TopologyFollower;
import io.stowage.config.settings.ConfigServiceSettings;
import io.stowage.config.source.ConfigFolderWatcher;
import io.stowage.config.topology.AppliedTopologies;
import io.stowage.config.topology.ConfigReconciler;
import io.stowage.config.topology.FolderApplier;
import io.stowage.config.topology.TopologyPublisher;
import io.stowage.events.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * config-service's start: recover the applied topology from the bus, apply what changed while it was down, then
 * let the channels hand records over and follow the config sources ({@code stowage.config.sources}): the folder,
 * BackupConfig resources, or both. All applies (files, resources and restores) run on one thread, so changes are
 * applied in order, one at a time. The objects themselves are made by CDI (config/ConfigProducers).
 */
@Singleton
public class ConfigService {
    private static final Logger LOG = Logger.getLogger(ConfigService.class);
    /** The CloudEvents source of what this service publishes. */
    public static final String SOURCE = "/stowage/config-service";
    static final String FOLDER = "folder";
    static final String KUBERNETES = "kubernetes";

    private final ConfigServiceSettings settings;
    private final KafkaConnection kafka;
    private final StartupReadiness readiness;
    private final TopologyFollower topology;
    private final FolderApplier folder;
    private final ScheduledExecutorService applyThread;
    private final ConfigFolderWatcher watcher;
    private final Instance<KubernetesClient> kubernetesClient;
    private final AppliedTopologies applied;
    private final TopologyPublisher publisher;
    private final boolean fromFolder;
    private final boolean fromKubernetes;
    private BackupConfigResources resources;
    private BackupResources backupResources;
    private RestoreResources restoreResources;
    private StateFollower catalogFollower;
    private final RestoreFollower restores;
    private final BusLiveness liveness;
    private ResourceApplier resourceApplier;
    private final TransactionalPublisher transactions;
    private final ChannelRegistry channels;
    private final InstanceId instance;
    private final BackupActivity backups;
    private final EventPublisher bus;
    private volatile Election leadership;
    private final CountDownLatch recovered = new CountDownLatch(1);
    private final CountDownLatch started = new CountDownLatch(1);

    ConfigService(ConfigServiceSettings settings, KafkaConnection kafka, StartupReadiness readiness,
                  TopologyFollower topology, FolderApplier folder,
                  @Identifier(ConfigProducers.APPLY_THREAD) ScheduledExecutorService applyThread,
                  ConfigFolderWatcher watcher, Instance<KubernetesClient> kubernetesClient,
                  AppliedTopologies applied, TopologyPublisher publisher, TransactionalPublisher transactions,
                  ChannelRegistry channels, InstanceId instance, BackupActivity backups, EventPublisher bus,
                  RestoreFollower restores, BusLiveness liveness) {
        this.settings = settings;
        this.kafka = kafka;
        this.readiness = readiness;
        this.topology = topology;
        this.folder = folder;
        this.applyThread = applyThread;
        this.watcher = watcher;
        this.kubernetesClient = kubernetesClient;
        this.applied = applied;
        this.publisher = publisher;
        this.transactions = transactions;
        this.channels = channels;
        this.instance = instance;
        this.liveness = liveness;
        this.backups = backups;
        this.bus = bus;
        this.restores = restores;
        List<String> sources = settings.config().sources().stream().map(String::strip).toList();
        if (sources.isEmpty() || !Set.of(FOLDER, KUBERNETES).containsAll(sources)) {
            throw new IllegalArgumentException("stowage.config.sources=" + String.join(",", sources)
                    + ": name folder, kubernetes, or both");
        }
        this.fromFolder = sources.contains(FOLDER);
        this.fromKubernetes = sources.contains(KUBERNETES);
    }

    /**
     * Registers readiness, then starts on a thread of its own: Quarkus opens the HTTP port only once this observer
     * returns, and readiness must answer DOWN (not a refused connection) while the state topics are read.
     */
    void onStart(@Observes StartupEvent start) {
        readiness.require("topology recovered and config sources applied", this::ready);
        readiness.allRegistered();
        readiness.runInBackground("recovering the topology and applying the config sources", this::start);
    }

    private void start() {
        ContractTopics.requireCompacted(kafka, List.of(Topics.TOPOLOGY, Topics.CATALOG), Duration.ofSeconds(10));
        int clusters = topology.recover(kafka, Duration.ofSeconds(60));
        LOG.infof("recovered the applied topology of %d cluster(s) from %s", clusters, Topics.TOPOLOGY);
        recovered.countDown();
        if (!settings.leaderElection().enabled()) {
            lead();
            return;
        }
        var election = settings.leaderElection();
        if ("kafka".equals(election.via())) {
            leadership = new KafkaElection(kafka, instance.value(), election.sessionTimeout());
        } else if ("lease".equals(election.via())) {
            KubernetesClient client = kubernetesClient.get();
            leadership = new Leadership(client, new Leadership.Settings(
                    election.namespace().orElseGet(() -> client.getNamespace() == null ? "default"
                            : client.getNamespace()),
                    election.lease(), instance.value(), election.leaseDuration(), election.renewDeadline(),
                    election.retryPeriod()));
        } else {
            throw new IllegalStateException("stowage.leader-election.via=" + election.via()
                    + ": name lease (Kubernetes) or kafka");
        }
        leadership.start(this::takeOver, this::stepDown);
    }

    /**
     * Becomes the leader: fences the previous leader's transactional producer (one id for whoever leads), reads the
     * topology again to its end (what the previous leader committed before it was fenced), then leads.
     */
    private void takeOver() {
        try {
            transactions.fence();
            int clusters = topology.recover(kafka, Duration.ofSeconds(60));
            LOG.infof("took over with the applied topology of %d cluster(s)", clusters);
            lead();
            channels.getPausable(ConfigChannels.RESTORES).resume();
            channels.getPausable(ConfigChannels.BACKUPS).resume();
        } catch (RuntimeException e) {
            // The broker out of reach, say: holding the lease without leading would stall every replica.
            LOG.errorf(e, "could not take over");
            stepDown();
        }
    }

    /** A leader that lost its lease stops at once: the platform restarts it, as a standby. */
    private void stepDown() {
        LOG.error("stepping down: this replica no longer leads; stopping, to start again as a standby");
        Quarkus.asyncExit(1);
    }

    /** Applies the config sources and follows them. */
    private void lead() {
        long rescan = settings.config().rescan().toMillis();
        if (fromFolder) {
            applyThread.submit(folder::apply);
        }
        if (fromKubernetes) {
            startKubernetes(rescan);
        }
        // Restores are applied on the same thread, queued behind this first apply: a restore sees the files' topology.
        started.countDown();
        if (fromFolder) {
            watcher.start();
            applyThread.scheduleWithFixedDelay(folder::apply, rescan, rescan, TimeUnit.MILLISECONDS);
            LOG.infof("watching %s (debounce %s)", settings.config().folder().toAbsolutePath(),
                    settings.config().debounce());
        }
    }

    private void startKubernetes(long rescan) {
        KubernetesClient client = kubernetesClient.get();
        resources = new BackupConfigResources(client, settings.config().kubernetes().namespaces().orElse(List.of()));
        ConfigReconciler reconciler = new ConfigReconciler(applied, publisher,
                source -> source != null && source.startsWith(BackupConfigResources.SOURCE_PREFIX));
        ResourceEvents events = new ResourceEvents(client);
        List<String> namespaces = settings.config().kubernetes().namespaces().orElse(List.of());
        // The catalog, for each storage's recoverability window in status: read whole from the compacted topic. Until
        // it is read to where it stood at the start, status shows no window rather than a wrong one.
        CatalogView catalog = new CatalogView();
        AtomicReference<ResourceApplier> applier = new AtomicReference<>();
        catalogFollower = new StateFollower(kafka, Topics.CATALOG, record -> {
            CatalogRecords.apply(record, catalog::put, catalog::remove);
            ResourceApplier a = applier.get();
            if (a != null) {
                a.statusChanged();
            }
        }).start();
        // Statuses stop moving if it stops for good: the pod is then restarted.
        liveness.watch(catalogFollower);
        StateFollower catalogRead = catalogFollower;
        resourceApplier = new ResourceApplier(resources, reconciler, applied, events, backups,
                applyThread, settings.config().debounce(), Instant::now, catalog,
                () -> caughtUp(catalogRead, Duration.ZERO));
        applier.set(resourceApplier);
        ResourceApplier statuses = resourceApplier;
        Thread windows = new Thread(() -> {
            // Once the catalog is read (even an empty one, which hands over no record), the windows are shown.
            if (caughtUp(catalogRead, Duration.ofMinutes(10))) {
                statuses.statusChanged();
            }
        }, "catalog-read");
        windows.setDaemon(true);
        windows.start();
        resources.start(resourceApplier::changed);
        resourceApplier.followBackups();
        backupResources = new BackupResources(client, namespaces, bus, events, SOURCE);
        backupResources.start();
        backups.follow(backupResources::follow);
        restoreResources = new RestoreResources(client, namespaces, bus, events, SOURCE);
        restoreResources.start();
        RestoreResources restoring = restoreResources;
        restores.listen((event, placement) -> {
            restoring.follow(event, placement);
            statuses.restoreEvent(event.data());
        });
        applyThread.scheduleWithFixedDelay(resourceApplier::apply, rescan, rescan, TimeUnit.MILLISECONDS);
    }

    private static boolean caughtUp(StateFollower follower, Duration wait) {
        try {
            return follower.awaitCaughtUp(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @PreDestroy
    void stop() {
        if (leadership != null) {
            leadership.close();
        }
        if (backupResources != null) {
            backupResources.close();
        }
        if (restoreResources != null) {
            restoreResources.close();
        }
        if (catalogFollower != null) {
            catalogFollower.close();
        }
        if (resources != null) {
            resources.close();
        }
    }

    /**
     * Returns once the topology is recovered and the first apply of the sources is queued: the restore channel calls
     * it before it hands a record over, as it may deliver before startup has finished. Under leader election that
     * channel is paused, not even subscribed, until this replica leads.
     */
    public void awaitStarted() {
        await(started, "started");
    }

    /** Returns once the topology is recovered: the topology channel calls it, on standbys too. */
    public void awaitRecovered() {
        await(recovered, "recovered the topology");
    }

    private static void await(CountDownLatch latch, String what) {
        try {
            if (!latch.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("config-service has not " + what + " within 2 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    /**
     * True once the topology is recovered and each config source applied once; a standby (leader election) is ready
     * once the topology is recovered.
     */
    public boolean ready() {
        if (leadership != null && !leadership.leading()) {
            return recovered.getCount() == 0;
        }
        return started.getCount() == 0 && (!fromFolder || folder.appliedOnce())
                && (!fromKubernetes || resourceApplier != null && resourceApplier.appliedOnce());
    }
}
