package io.stowage.restore.config;

import io.smallrye.common.annotation.Identifier;
import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.StateFollower;
import io.stowage.events.Topics;
import io.stowage.restore.RestoreService;
import io.stowage.bus.CatalogRecords;
import io.stowage.restore.messaging.KafkaRestoreBus;
import io.stowage.restore.messaging.RestoreLog;
import io.stowage.bus.CatalogView;
import io.stowage.restore.plan.RestorePlanner;
import io.stowage.restore.steps.RestoreState;
import io.stowage.restore.kubernetes.JobRestoreHost;
import io.stowage.restore.kubernetes.OwnImage;
import io.stowage.restore.service.LocalRestoreHost;
import io.stowage.restore.service.RestoreHost;
import io.stowage.restore.service.RoutingRestoreHost;
import io.stowage.restore.service.RestoreSaga;
import io.stowage.restore.service.StorageSegmentClock;
import io.stowage.restore.settings.RestoreServiceSettings;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.storage.SecretSource;
import io.stowage.storage.kubernetes.KubernetesSecrets;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * How restore-service's objects are made, and closed when the application stops: the state it follows (topology,
 * catalog, and the restore and resync topics as the restore log), the planner, the bus and host the saga runs on,
 * and the saga that handles the requests channel's restores. The classes stay plain Java (their tests make them
 * with {@code new}); RestoreService orders the start. The disposers run once the requests channel has stopped:
 * SmallRye closes its consumer before the application context is destroyed, and these beans are
 * {@code @Singleton}s, destroyed after it.
 */
@Singleton
public class RestoreProducers {

    /** Every cluster's applied topology, as the topology follower reads it. */
    @Produces
    @Singleton
    ClusterTopologies topologies() {
        return new ClusterTopologies();
    }

    /** What is restorable where, as the catalog follower reads it. */
    @Produces
    @Singleton
    CatalogView catalog() {
        return new CatalogView();
    }

    /** backup-service's answers, the restores that ended and the storages' resyncs, as two followers read them. */
    @Produces
    @Singleton
    RestoreLog log() {
        return new RestoreLog();
    }

    @Produces
    @Singleton
    @Identifier(Topics.TOPOLOGY)
    StateFollower topologyFollower(KafkaConnection kafka, ClusterTopologies topologies) {
        return new StateFollower(kafka, Topics.TOPOLOGY, topologies::apply).start();
    }

    void closeTopologyFollower(@Disposes @Identifier(Topics.TOPOLOGY) StateFollower follower) {
        follower.close();
    }

    @Produces
    @Singleton
    @Identifier(Topics.CATALOG)
    StateFollower catalogFollower(KafkaConnection kafka, CatalogView catalog) {
        return new StateFollower(kafka, Topics.CATALOG, record -> CatalogRecords.apply(record, catalog::put, catalog::remove)).start();
    }

    void closeCatalogFollower(@Disposes @Identifier(Topics.CATALOG) StateFollower follower) {
        follower.close();
    }

    @Produces
    @Singleton
    @Identifier(Topics.RESTORE)
    StateFollower restoreFollower(KafkaConnection kafka, RestoreLog log) {
        return new StateFollower(kafka, Topics.RESTORE, log::apply).start();
    }

    void closeRestoreFollower(@Disposes @Identifier(Topics.RESTORE) StateFollower follower) {
        follower.close();
    }

    @Produces
    @Singleton
    @Identifier(Topics.RESYNC)
    StateFollower resyncFollower(KafkaConnection kafka, RestoreLog log) {
        return new StateFollower(kafka, Topics.RESYNC, log::apply).start();
    }

    void closeResyncFollower(@Disposes @Identifier(Topics.RESYNC) StateFollower follower) {
        follower.close();
    }

    /** Secrets (S3 keys, CA bundles, PostgreSQL passwords): a folder, or the Kubernetes API. */
    @Produces
    @Singleton
    SecretSource secrets(RestoreServiceSettings settings, Instance<KubernetesClient> kubernetes) {
        return KubernetesSecrets.named(settings.secretsSource(), settings.secretsFolder(), kubernetes::get,
                settings.secretsNamespace());
    }

    /** When a WAL segment was stored, asked of its storage: whether a time target falls before a gap in the WAL. */
    @Produces
    @Singleton
    RestorePlanner.SegmentClock segmentClock(ClusterTopologies topologies, SecretSource secrets) {
        return new StorageSegmentClock(topologies, secrets);
    }

    @Produces
    @Singleton
    RestorePlanner planner(CatalogView catalog, RestorePlanner.SegmentClock clock) {
        return new RestorePlanner(catalog, clock, RestoreState::begun);
    }

    /** The saga's bus: the followed state (each waited for, 10 s at most, to be current) and the emitter. */
    @Produces
    @Singleton
    KafkaRestoreBus bus(ClusterTopologies topologies, @Identifier(Topics.TOPOLOGY) StateFollower topologyFollower,
                        @Identifier(Topics.CATALOG) StateFollower catalogFollower, RestoreLog log,
                        EventPublisher publisher) {
        return new KafkaRestoreBus(topologies, () -> topologyFollower.awaitCurrent(Duration.ofSeconds(10)),
                () -> catalogFollower.awaitCurrent(Duration.ofSeconds(10)), log, publisher);
    }

    /**
     * Where restores run: this machine (storages opened with local secrets, PostgreSQL by pg_ctl) for restores in
     * place and to a new instance; with {@code stowage.restore.jobs.enabled}, Kubernetes Jobs for new volumes.
     */
    @Produces
    @Singleton
    RestoreHost host(SecretSource secrets, RestoreServiceSettings settings, Instance<KubernetesClient> kubernetes) {
        RestoreServiceSettings.Restore r = settings.restore();
        RestoreRun.Timings timings = new RestoreRun.Timings(r.promotionTimeout(), r.stallTimeout(),
                r.walFetchThreads());
        LocalRestoreHost local = new LocalRestoreHost(secrets, timings);
        if (!r.jobs().enabled()) {
            return new RoutingRestoreHost(local, null);
        }
        RestoreServiceSettings.Jobs jobs = r.jobs();
        KubernetesClient client = kubernetes.get();
        // The pod's name: the instance id (the Deployment sets it so), else the host name.
        String pod = settings.instanceId().orElse(System.getenv("HOSTNAME"));
        Supplier<String> image = () -> jobs.image().orElseGet(() -> OwnImage.of(client, pod));
        return new RoutingRestoreHost(local, new JobRestoreHost(client, image, jobs.serviceAccount().orElse(null),
                new JobRestoreHost.Settings(jobs.namespace().orElse(null), jobs.poll(), jobs.timeout(),
                        JobRestoreHost.STUCK, timings)));
    }

    /** What the requests channel hands every restore request to. */
    @Produces
    @ApplicationScoped
    RestoreSaga saga(RestorePlanner planner, KafkaRestoreBus bus, RestoreHost host,
                     RestoreServiceSettings settings) {
        RestoreServiceSettings.Restore r = settings.restore();
        return new RestoreSaga(planner, bus, host, new RestoreSaga.Settings(r.answerTimeout(), r.resyncTimeout(),
                RestoreSaga.Settings.PLACEMENT_TIMEOUT, r.heartbeat()), RestoreService.SOURCE);
    }
}
