package io.stowage.resync.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.InstanceId;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEvents;
import io.stowage.bus.StateFollower;
import io.stowage.bus.TopologyCatchUp;
import io.stowage.bus.TransactionalPublisher;
import io.stowage.events.InvalidEventException;
import io.stowage.events.Topics;
import io.stowage.events.data.CatalogEvent;
import io.stowage.resync.ResyncService;
import io.stowage.resync.catalog.Catalog;
import io.stowage.bus.CatalogRecords;
import io.stowage.resync.messaging.ClusterHolding;
import io.stowage.resync.messaging.KafkaCatalogWrites;
import io.stowage.resync.messaging.ResyncEventHandler;
import io.stowage.resync.retention.Expiries;
import io.stowage.resync.retention.Expiry;
import io.stowage.resync.retention.RunningRestores;
import io.stowage.resync.service.CatalogKeeper;
import io.stowage.resync.service.CompletedBackupCheck;
import io.stowage.resync.service.Resyncs;
import io.stowage.resync.settings.ResyncServiceSettings;
import io.stowage.storage.SecretSource;
import io.stowage.storage.kubernetes.KubernetesSecrets;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.inject.Instance;
import io.stowage.storage.Storages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;

/**
 * How resync-service's objects are made, and closed when the application stops: the state it follows, the catalog
 * and its single writer, the resyncs, and the handler of the inputs channel. The classes stay plain Java (their
 * tests make them with {@code new}); ResyncService orders the start. The disposers run once the inputs channel has
 * stopped: SmallRye closes its consumer before the application context is destroyed, and these beans are
 * {@code @Singleton}s, destroyed after it.
 */
@Singleton
public class ResyncProducers {

    /** Every cluster's applied topology, as the topology follower reads it. */
    @Produces
    @Singleton
    ClusterTopologies topologies() {
        return new ClusterTopologies();
    }

    /** The catalog this service keeps, counted by the {@code stowage.catalog.entries} gauge. */
    @Produces
    @Singleton
    Catalog catalog(MeterRegistry metrics) {
        Catalog catalog = new Catalog();
        Gauge.builder("stowage.catalog.entries", catalog, Catalog::size)
                .description("Backups and WAL ranges in the catalog this instance keeps").register(metrics);
        return catalog;
    }

    /**
     * Reads {@code stowage.catalog} into the catalog from the moment it is made, as long as the service runs: a
     * cluster this instance takes over after a rebalance is handled from what the other instances wrote.
     */
    @Produces
    @Singleton
    @Identifier(Topics.CATALOG)
    StateFollower catalogFollower(KafkaConnection kafka, Catalog catalog) {
        return new StateFollower(kafka, Topics.CATALOG, record -> {
            if (record.key() == null) {
                return;
            }
            catalog.followed(record.partition(), record.offset(), record.key(), () -> {
                CatalogEvent[] entry = new CatalogEvent[1];
                CatalogRecords.apply(record, e -> entry[0] = e, key -> { });
                return entry[0];
            }, record.value() == null);
        }).start();
    }

    void closeCatalogFollower(@Disposes @Identifier(Topics.CATALOG) StateFollower follower) {
        follower.close();
    }

    /** Follows {@code stowage.topology} from the moment it is made, as long as the service runs. */
    @Produces
    @Singleton
    @Identifier(Topics.TOPOLOGY)
    StateFollower topologyFollower(KafkaConnection kafka, ClusterTopologies topologies) {
        return new StateFollower(kafka, Topics.TOPOLOGY, topologies::apply).start();
    }

    void closeTopologyFollower(@Disposes @Identifier(Topics.TOPOLOGY) StateFollower follower) {
        follower.close();
    }

    /** Waits, 10 s at most, until the followed topology holds everything committed so far. */
    @Produces
    @Singleton
    TopologyCatchUp topologyCatchUp(@Identifier(Topics.TOPOLOGY) StateFollower follower) {
        return () -> follower.awaitCurrent(Duration.ofSeconds(10));
    }

    /** The catalog's transactional producer (a resync's whole diff in one transaction, see docs/decisions.md). */
    @Produces
    @Singleton
    TransactionalPublisher catalogPublisher(KafkaConnection kafka, InstanceId instance) {
        return new TransactionalPublisher(kafka, instance.clientId("stowage-resync-service", null));
    }

    void closeCatalogPublisher(@Disposes TransactionalPublisher publisher) {
        publisher.close();
    }

    @Produces
    @Singleton
    KafkaCatalogWrites catalogWrites(TransactionalPublisher publisher) {
        return new KafkaCatalogWrites(publisher, ResyncService.SOURCE);
    }

    /** The catalog's single writer thread. */
    @Produces
    @Singleton
    CatalogKeeper keeper(Catalog catalog, KafkaCatalogWrites writes, ClusterHolding holding) {
        return new CatalogKeeper(catalog, writes, holding);
    }

    void closeKeeper(@Disposes CatalogKeeper keeper) {
        keeper.close();
    }

    /** Secrets (S3 keys, CA bundles, PostgreSQL passwords): a folder, or the Kubernetes API. */
    @Produces
    @Singleton
    SecretSource secrets(ResyncServiceSettings settings, Instance<KubernetesClient> kubernetes) {
        return KubernetesSecrets.named(settings.secretsSource(), settings.secretsFolder(), kubernetes::get,
                settings.secretsNamespace());
    }

    /** Opens a storage of a cluster as its applied topology describes it. */
    @Produces
    @Singleton
    Resyncs.StorageSource storages(SecretSource secrets) {
        return (topology, storage) -> Storages.open(topology.cluster(), storage,
                topology.spec().storages().get(storage), secrets);
    }

    /** The resync workers ({@code stowage.resync-workers} storages at once). */
    @Produces
    @Singleton
    Resyncs resyncs(CatalogKeeper keeper, ClusterTopologies topologies, TopologyCatchUp catchUp,
                    Resyncs.StorageSource storages, ResyncServiceSettings settings, MeterRegistry metrics) {
        return new Resyncs(keeper, topologies::get, catchUp, storages, ResyncService.SOURCE, settings.resyncWorkers(),
                metrics);
    }

    void closeResyncs(@Disposes Resyncs resyncs) {
        resyncs.close();
    }

    /** Reads a completed backup's manifest on each of its storages before the catalog lists it. */
    @Produces
    @Singleton
    CompletedBackupCheck completedBackupCheck(ClusterTopologies topologies, TopologyCatchUp catchUp,
                                              Resyncs.StorageSource storages) {
        return new CompletedBackupCheck(topologies::get, catchUp, storages);
    }

    /** Runs the expiries of retention, one at a time. */
    @Produces
    @Singleton
    Expiries expiries(CatalogKeeper keeper, ClusterTopologies topologies, Resyncs.StorageSource storages,
                      RunningRestores restores, ResyncServiceSettings settings, ClusterHolding holding) {
        Expiry expiry = new Expiry(keeper, topologies::get, storages, restores,
                settings.retention().incompleteGrace(), Instant::now, ResyncService.SOURCE);
        return new Expiries(expiry, keeper, ResyncService.SOURCE, settings.retention().enabled(), holding::holds);
    }

    void closeExpiries(@Disposes Expiries expiries) {
        expiries.close();
    }

    /** The backups running restores use; a restore that ends lets retention remove what it held. */
    @Produces
    @Singleton
    RunningRestores runningRestores(ResyncServiceSettings settings, jakarta.enterprise.inject.Instance<Expiries> expiries) {
        return new RunningRestores(settings.retention().restoreLease(), Instant::now,
                outcome -> expiries.get().soon(outcome.data().cluster(), outcome));
    }

    /** Follows {@code stowage.restore} whole (a few events per restore): it tells which backups restores use. */
    @Produces
    @Singleton
    @Identifier(Topics.RESTORE)
    StateFollower restoreFollower(KafkaConnection kafka, RunningRestores restores) {
        return new StateFollower(kafka, Topics.RESTORE, record -> {
            try {
                if (record.value() != null) {
                    restores.apply(KafkaEvents.fromRecord(record));
                }
            } catch (InvalidEventException e) {
                // Refused by restore-service, which answers it: it holds no backup.
            }
        }).start();
    }

    void closeRestoreFollower(@Disposes @Identifier(Topics.RESTORE) StateFollower follower) {
        follower.close();
    }

    /** What the resync-inputs channel hands every event to. */
    @Produces
    @ApplicationScoped
    ResyncEventHandler handler(ClusterTopologies topologies, TopologyCatchUp catchUp, Resyncs resyncs,
                               CatalogKeeper keeper, CompletedBackupCheck check, Expiries expiries) {
        return new ResyncEventHandler(topologies, catchUp, resyncs, keeper, check, expiries, ResyncService.SOURCE);
    }
}
