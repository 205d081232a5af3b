package io.stowage.restore;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEvents;
import io.stowage.bus.StateFollower;
import io.stowage.bus.quarkus.BusLiveness;
import io.stowage.bus.quarkus.StartupReadiness;
import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.Topics;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.RestoreRequested;
import io.stowage.restore.messaging.KafkaRestoreBus;
import io.stowage.restore.messaging.RestoreLog;
import io.stowage.restore.plan.CatalogView;
import io.stowage.restore.plan.RestorePlanner;
import io.stowage.restore.service.LocalRestoreHost;
import io.stowage.restore.service.RestoreSaga;
import io.stowage.restore.settings.RestoreServiceSettings;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.SecretsFolder;
import io.stowage.storage.StorageLayout;
import io.stowage.storage.Storages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * restore-service's life: follow the topology, the catalog, and the restore and resync topics, then run the restores
 * the requests channel hands it (RestoreRequestsChannel: one at a time per cluster, several clusters at once).
 */
@ApplicationScoped
public class RestoreService {
    private static final Logger LOG = Logger.getLogger(RestoreService.class);
    public static final String SOURCE = "/stowage/restore-service";

    private final RestoreServiceSettings settings;
    private final KafkaConnection kafka;
    private final ClusterTopologies topologies = new ClusterTopologies();
    private final CatalogView catalog = new CatalogView();
    private final RestoreLog log = new RestoreLog();
    private volatile boolean ready;
    private StateFollower topologyFollower;
    private StateFollower catalogFollower;
    private StateFollower restoreFollower;
    private StateFollower resyncFollower;
    private final EventPublisher publisher;
    private final BusLiveness liveness;
    private final StartupReadiness readiness;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile RestoreSaga saga;

    RestoreService(RestoreServiceSettings settings, KafkaConnection kafka, EventPublisher publisher,
                   BusLiveness liveness, StartupReadiness readiness) {
        this.settings = settings;
        this.kafka = kafka;
        this.publisher = publisher;
        this.liveness = liveness;
        this.readiness = readiness;
    }

    void onStart(@Observes StartupEvent start) throws InterruptedException {
        readiness.require("topology, catalog and restore history read", () -> ready);
        readiness.allRegistered();
        topologyFollower = follow(Topics.TOPOLOGY, topologies::apply);
        catalogFollower = follow(Topics.CATALOG, this::applyCatalog);
        restoreFollower = follow(Topics.RESTORE, this::applyLog);
        resyncFollower = follow(Topics.RESYNC, this::applyLog);
        LOG.infof("topology, catalog and restore history read");
        SecretsFolder secrets = new SecretsFolder(settings.secretsFolder().toAbsolutePath());
        RestorePlanner planner = new RestorePlanner(catalog, (cluster, storage, timeline, segment) ->
                storedAt(cluster, storage, segment, secrets));
        RestoreServiceSettings.Restore r = settings.restore();
        saga = new RestoreSaga(planner,
                new KafkaRestoreBus(topologies, () -> topologyFollower.awaitCurrent(Duration.ofSeconds(10)),
                        () -> catalogFollower.awaitCurrent(Duration.ofSeconds(10)), log, publisher),
                new LocalRestoreHost(secrets,
                        new RestoreRun.Timings(r.promotionTimeout(), r.stallTimeout(), r.walFetchThreads())),
                new RestoreSaga.Settings(r.answerTimeout(), r.resyncTimeout(), RestoreSaga.Settings.PLACEMENT_TIMEOUT,
                        r.heartbeat()), SOURCE);
        started.countDown();
        ready = true;
    }

    /**
     * Runs a requested restore to its outcome (the requests channel calls it off its stream), once this service has
     * read the topology, the catalog and the restore history.
     *
     * @throws IllegalStateException when this instance stopped during the restore: the request is left to the next
     *                               owner of its partition, whose run skips the steps this one did
     */
    public void restore(Envelope<RestoreRequested> request) {
        try {
            if (!started.await(3, TimeUnit.MINUTES)) {
                throw new IllegalStateException("restore-service has not started within 3 minutes");
            }
            saga.handle(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("restore of " + request.data().cluster() + " interrupted", e);
        }
        if (stopping) {
            throw new IllegalStateException("restore of " + request.data().cluster() + " cut short by a shutdown");
        }
    }

    private StateFollower follow(String topic, java.util.function.Consumer<ConsumerRecord<String, byte[]>> apply)
            throws InterruptedException {
        StateFollower f = new StateFollower(kafka, topic, apply).start();
        liveness.watch(f);
        if (!f.awaitCaughtUp(Duration.ofSeconds(120))) {
            throw new IllegalStateException("could not read " + topic + " within 120 s");
        }
        return f;
    }

    private void applyCatalog(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            catalog.remove(record.key());
            return;
        }
        try {
            if (KafkaEvents.fromRecord(record).data() instanceof CatalogEvent entry) {
                catalog.put(entry);
            }
        } catch (InvalidEventException e) {
            LOG.debugf("skipping an invalid catalog record at offset %d: %s", record.offset(), e.getMessage());
        }
    }

    private void applyLog(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            log.apply(KafkaEvents.fromRecord(record));
        } catch (InvalidEventException e) {
            // Rejected by the consumer that owns the topic; nothing to learn from it here.
        }
    }

    /** When a WAL segment was stored: its object's modification time on that cluster's storage. */
    private Optional<Instant> storedAt(String cluster, String storage, String segment, SecretsFolder secrets) {
        return topologies.get(cluster).filter(t -> t.spec().storages().containsKey(storage))
                .flatMap(t -> {
                    try (BackupStorage s = Storages.open(t.cluster(), storage, t.spec().storages().get(storage),
                            secrets)) {
                        return s.stat(StorageLayout.walSegment(segment)).map(ObjectInfo::lastModified);
                    } catch (Exception e) {
                        LOG.warnf("cannot tell when %s was stored on '%s': %s", segment, storage, e.getMessage());
                        return Optional.empty();
                    }
                });
    }

    public boolean ready() {
        return ready;
    }

    void onStop(@Observes ShutdownEvent stop) {
        stopping = true;
        for (AutoCloseable c : new AutoCloseable[] {topologyFollower, catalogFollower, restoreFollower,
                resyncFollower}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debugf("closing: %s", e.getMessage());
                }
            }
        }
    }
}
