package io.stowage.restore;

import io.stowage.bus.KafkaEventPublisher;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.EventConsumerLoop;
import io.stowage.bus.InstanceId;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEvents;
import io.stowage.bus.StateFollower;
import io.stowage.events.InvalidEventException;
import io.stowage.events.Topics;
import io.stowage.events.data.CatalogEvent;
import io.stowage.restore.messaging.KafkaRestoreBus;
import io.stowage.restore.messaging.RestoreLog;
import io.stowage.restore.messaging.RestoreRequestHandler;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * restore-service's life: follow the topology, the catalog, and the restore and resync topics, then consume restore
 * requests one at a time. A request's offset is committed once its restore has ended.
 */
@ApplicationScoped
public class RestoreService {
    private static final Logger LOG = Logger.getLogger(RestoreService.class);
    public static final String SOURCE = "/stowage/restore-service";
    static final String CONSUMER = "stowage-restore-service";
    /** A restore runs in the consumer's thread: the group must wait for it rather than move its partition. */
    private static final int MAX_RESTORE_MS = (int) Duration.ofHours(12).toMillis();

    private final RestoreServiceSettings settings;
    private final KafkaConnection kafka;
    private final InstanceId instance;
    private final ClusterTopologies topologies = new ClusterTopologies();
    private final CatalogView catalog = new CatalogView();
    private final RestoreLog log = new RestoreLog();
    private volatile boolean ready;
    private StateFollower topologyFollower;
    private StateFollower catalogFollower;
    private StateFollower restoreFollower;
    private StateFollower resyncFollower;
    private KafkaEventPublisher publisher;
    private KafkaEventPublisher rejections;
    private EventConsumerLoop consumer;

    RestoreService(RestoreServiceSettings settings,
                   KafkaConnection kafka, InstanceId instance) {
        this.settings = settings;
        this.kafka = kafka;
        this.instance = instance;
    }

    void onStart(@Observes StartupEvent start) throws InterruptedException {
        topologyFollower = follow(Topics.TOPOLOGY, topologies::apply);
        catalogFollower = follow(Topics.CATALOG, this::applyCatalog);
        restoreFollower = follow(Topics.RESTORE, this::applyLog);
        resyncFollower = follow(Topics.RESYNC, this::applyLog);
        LOG.infof("topology, catalog and restore history read");
        SecretsFolder secrets = new SecretsFolder(settings.secretsFolder().toAbsolutePath());
        RestorePlanner planner = new RestorePlanner(catalog, (cluster, storage, timeline, segment) ->
                storedAt(cluster, storage, segment, secrets));
        publisher = new KafkaEventPublisher(kafka, instance.clientId("stowage-restore-service", null));
        rejections = new KafkaEventPublisher(kafka, instance.clientId("stowage-restore-service", "rejections"));
        RestoreServiceSettings.Restore r = settings.restore();
        RestoreSaga saga = new RestoreSaga(planner,
                new KafkaRestoreBus(topologies, () -> topologyFollower.awaitCurrent(Duration.ofSeconds(10)),
                        () -> catalogFollower.awaitCurrent(Duration.ofSeconds(10)), log, publisher),
                new LocalRestoreHost(secrets,
                        new RestoreRun.Timings(r.promotionTimeout(), r.stallTimeout(), r.walFetchThreads())),
                new RestoreSaga.Settings(r.answerTimeout(), r.resyncTimeout()), SOURCE);
        RestoreRequestHandler handler = new RestoreRequestHandler(saga);
        consumer = new EventConsumerLoop(kafka, CONSUMER, List.of(Topics.RESTORE), handler, rejections,
                SOURCE, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1,
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, MAX_RESTORE_MS)).start();
        ready = true;
    }

    private StateFollower follow(String topic, java.util.function.Consumer<ConsumerRecord<String, byte[]>> apply)
            throws InterruptedException {
        StateFollower f = new StateFollower(kafka, topic, apply).start();
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
        for (AutoCloseable c : new AutoCloseable[] {consumer, topologyFollower, catalogFollower, restoreFollower,
                resyncFollower, publisher, rejections}) {
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
