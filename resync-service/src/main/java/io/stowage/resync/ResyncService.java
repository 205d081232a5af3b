package io.stowage.resync;


import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.InstanceId;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEvents;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.stowage.bus.StateFollower;
import io.stowage.bus.quarkus.BusLiveness;
import io.stowage.bus.quarkus.StartupReadiness;
import io.stowage.bus.TopologyCatchUp;
import io.stowage.bus.TransactionalPublisher;
import io.stowage.bus.RejectedEventException;
import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.Topics;
import io.stowage.events.data.CatalogEvent;
import io.stowage.resync.catalog.Catalog;
import io.stowage.resync.messaging.KafkaCatalogWrites;
import io.stowage.resync.messaging.ResyncEventHandler;
import io.stowage.resync.service.CatalogKeeper;
import io.stowage.resync.service.Resyncs;
import io.stowage.resync.settings.ResyncServiceSettings;
import io.stowage.storage.SecretsFolder;
import io.stowage.storage.Storages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * resync-service's life: read the catalog whole (it is this service's own state), follow the topology, then handle
 * resync requests, completed backups, archived WAL and topology changes, and keep the catalog.
 */
@ApplicationScoped
public class ResyncService {
    private static final Logger LOG = Logger.getLogger(ResyncService.class);
    public static final String SOURCE = "/stowage/resync-service";

    private final ResyncServiceSettings settings;
    private final KafkaConnection kafka;
    private final InstanceId instance;
    private final BusLiveness liveness;
    private final MeterRegistry metrics;
    private final StartupReadiness readiness;
    private final ClusterTopologies topologies = new ClusterTopologies();
    private final Catalog catalog = new Catalog();
    private volatile boolean ready;
    private StateFollower topologyFollower;
    private StateFollower catalogFollower;
    private KafkaCatalogWrites writes;
    private CatalogKeeper keeper;
    private Resyncs resyncs;
    private volatile ResyncEventHandler handler;
    private final CountDownLatch started = new CountDownLatch(1);

    ResyncService(ResyncServiceSettings settings,
                  KafkaConnection kafka, InstanceId instance, BusLiveness liveness, StartupReadiness readiness,
                  MeterRegistry metrics) {
        this.metrics = metrics;
        this.liveness = liveness;
        this.readiness = readiness;
        this.settings = settings;
        this.kafka = kafka;
        this.instance = instance;
    }

    void onStart(@Observes StartupEvent start) throws InterruptedException {
        readiness.require("catalog and topology read", () -> ready);
        readiness.allRegistered();
        catalogFollower = new StateFollower(kafka, Topics.CATALOG, record -> {
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
        }).start();
        if (!catalogFollower.awaitCaughtUp(Duration.ofSeconds(120))) {
            throw new IllegalStateException("could not read " + Topics.CATALOG + " within 120 s");
        }
        // The catalog is this service's own: once read, its own writes keep it current.
        catalogFollower.close();
        LOG.infof("catalog read: %d entries", catalog.size());
        topologyFollower = new StateFollower(kafka, Topics.TOPOLOGY, topologies::apply).start();
        liveness.watch(topologyFollower);
        if (!topologyFollower.awaitCaughtUp(Duration.ofSeconds(60))) {
            throw new IllegalStateException("could not read " + Topics.TOPOLOGY + " within 60 s");
        }
        writes = new KafkaCatalogWrites(new TransactionalPublisher(kafka,
                instance.clientId("stowage-resync-service", null)), SOURCE);
        keeper = new CatalogKeeper(catalog, writes);
        SecretsFolder secrets = new SecretsFolder(settings.secretsFolder().toAbsolutePath());
        TopologyCatchUp catchUp = () -> topologyFollower.awaitCurrent(Duration.ofSeconds(10));
        resyncs = new Resyncs(keeper, topologies::get, catchUp, (topology, storage) -> Storages.open(topology.cluster(),
                storage, topology.spec().storages().get(storage), secrets), SOURCE, settings.resyncWorkers(), metrics);
        Gauge.builder("stowage.catalog.entries", catalog, Catalog::size)
                .description("Backups and WAL ranges in the catalog this instance keeps").register(metrics);
        handler = new ResyncEventHandler(topologies, catchUp, resyncs, keeper, SOURCE);
        started.countDown();
        ready = true;
    }

    /**
     * Handles one event of the inputs channel, once this service has read its catalog and the topology (the channel
     * may deliver before startup has finished).
     */
    public void handle(Envelope<StowageEvent> event) throws RejectedEventException {
        try {
            if (!started.await(3, TimeUnit.MINUTES)) {
                throw new IllegalStateException("resync-service has not started within 3 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
        handler.handle(event);
    }

    public boolean ready() {
        return ready;
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (resyncs != null) {
            resyncs.close();
        }
        if (keeper != null) {
            keeper.close();
        }
        if (writes != null) {
            writes.close();
        }
        if (topologyFollower != null) {
            topologyFollower.close();
        }
    }
}
