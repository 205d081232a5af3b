package io.stowage.restore.service;

import io.stowage.bus.BusUnavailable;
import io.stowage.events.BackupSources;
import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import io.stowage.restore.plan.Refusal;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.plan.RestorePlanner;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.restore.steps.StepFailure;
import io.stowage.storage.BackupStorage;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.Map;
import java.util.Optional;

/**
 * What restore-service does with a {@code restore.requested.v1}: the checks (refusals name their reason), a resync
 * of the storage first when the catalog does not know the backup there, then the restore's steps, and its outcome
 * (with {@code backupAfterRestore}, a backup of the restored cluster is its last step). Every event it publishes is
 * caused by the request. A request run again goes on from what its state file says is done.
 */
public final class RestoreSaga {
    private static final Logger LOG = Logger.getLogger(RestoreSaga.class);
    private static final String NOT_READ_IN_TIME = ": nothing was touched; request the restore again once the broker "
            + "answers";

    /** How a request ended. */
    public sealed interface Outcome permits AlreadyCompleted, Refused, Failed, Completed {
    }

    /** The restore completed before: a redelivered request is not run again, and nothing is published. */
    public record AlreadyCompleted(String cluster, String restoreId) implements Outcome {
    }

    /** A check refused the restore before anything was touched; {@code event} was published. */
    public record Refused(RestoreFailed event) implements Outcome {
    }

    /** A step failed (in place before the switch, the previous primary runs again); {@code event} was published. */
    public record Failed(RestoreFailed event) implements Outcome {
    }

    /** The restore completed; {@code event} was published. */
    public record Completed(RestoreCompleted event) implements Outcome {
    }

    /**
     * @param answerTimeout    how long backup-service may take to answer a pause or resume
     * @param resyncTimeout    how long the resync of a storage before the restore may take
     * @param placementTimeout how long config-service may take to place a backupSource in the topology
     * @param heartbeat        how often a running restore publishes {@code restore.progress.v1}
     */
    public record Settings(Duration answerTimeout, Duration resyncTimeout, Duration placementTimeout,
                           Duration heartbeat) {
        public static final Duration PLACEMENT_TIMEOUT = Duration.ofSeconds(60);
        public static final Duration HEARTBEAT = Duration.ofSeconds(5);

        public Settings(Duration answerTimeout, Duration resyncTimeout) {
            this(answerTimeout, resyncTimeout, PLACEMENT_TIMEOUT, HEARTBEAT);
        }

        public Settings(Duration answerTimeout, Duration resyncTimeout, Duration placementTimeout) {
            this(answerTimeout, resyncTimeout, placementTimeout, HEARTBEAT);
        }
    }

    private final RestorePlanner planner;
    private final RestoreBus bus;
    private final RestoreHost host;
    private final Settings settings;
    private final String source;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "restore-heartbeat");
        t.setDaemon(true);
        return t;
    });

    /** @param source the CloudEvents source of what it publishes */
    public RestoreSaga(RestorePlanner planner, RestoreBus bus, RestoreHost host, Settings settings, String source) {
        this.planner = planner;
        this.bus = bus;
        this.host = host;
        this.settings = settings;
        this.source = source;
    }

    /** Runs the requested restore to its end, publishing its events; a request without restoreId uses its id. */
    public Outcome handle(Envelope<RestoreRequested> request) throws InterruptedException {
        RestoreRequested r = request.data();
        String restoreId = r.restoreId() != null ? r.restoreId() : request.id();
        if (bus.restoreCompleted(r.cluster(), restoreId)) {
            LOG.infof("[%s] restore %s of %s already completed; not run again", request.correlationId(), restoreId,
                    r.cluster());
            return new AlreadyCompleted(r.cluster(), restoreId);
        }
        if (r.target() != null && r.target().intoVolume() && !host.restoresIntoVolumes()) {
            String reason = "a restore into a new volume (target.volume) runs as a Kubernetes Job, which this "
                    + "restore-service does not make: run it on Kubernetes with stowage.restore.jobs.enabled=true, "
                    + "or restore to a new instance (target.dataDirectory and target.port)";
            LOG.warnf("[%s] restore %s of %s refused: %s", request.correlationId(), restoreId, r.cluster(), reason);
            return new Refused(publish(request, new RestoreFailed(r.cluster(), restoreId, RestorePlanner.CHECK_REQUEST,
                    reason)));
        }
        RestoreRequested withId = new RestoreRequested(r.cluster(), r.backupId(), r.storage(), r.pitr(),
                r.backupSource(), r.backupAfterRestore(), restoreId, r.target());
        RestorePlan plan;
        try {
            plan = plan(request, withId);
        } catch (Refusal refusal) {
            LOG.warnf("[%s] restore %s of %s refused (%s): %s", request.correlationId(), restoreId, r.cluster(),
                    refusal.check(), refusal.getMessage());
            return new Refused(publish(request,
                    new RestoreFailed(r.cluster(), restoreId, refusal.check(), refusal.getMessage())));
        }
        LOG.infof("[%s] restore %s of %s: backup %s from storage '%s' to %s, into %s", request.correlationId(),
                restoreId, r.cluster(), plan.backup().backupId(), plan.storage(), plan.describeTarget(),
                plan.dataDirectory());
        publish(request, new RestoreStarted(r.cluster(), restoreId, plan.backup().backupId(), plan.storage()));
        return run(request, plan);
    }

    private Outcome run(Envelope<RestoreRequested> request, RestorePlan plan) throws InterruptedException {
        TopologyApplied topology = bus.topology(plan.cluster()).orElseThrow();
        Map<String, BackupStorage> storages = host.open(topology, plan);
        try (Heartbeat heartbeat = new Heartbeat(new BusCoordination(request, plan, bus, settings.answerTimeout(),
                source), request, plan, bus, source, heartbeats, settings.heartbeat())) {
            RestoreRun.Outcome ran = host.run(request, plan, topology, storages, heartbeat);
            RestoreCompleted completed = publish(request, new RestoreCompleted(plan.cluster(), plan.restoreId(),
                    plan.backup().backupId(), plan.storage(), ran.dataDirectory().toString(),
                    ran.previousDataDirectory() == null ? null : ran.previousDataDirectory().toString()));
            LOG.infof("[%s] restore %s of %s completed: %s %s", request.correlationId(), plan.restoreId(),
                    plan.cluster(), plan.intoVolume() ? "a promoted, shut down data directory in"
                            : "the cluster runs on", ran.dataDirectory());
            return new Completed(completed);
        } catch (StepFailure failure) {
            LOG.errorf("[%s] restore %s of %s failed at %s: %s", request.correlationId(), plan.restoreId(),
                    plan.cluster(), failure.step().wireName(), failure.getMessage());
            return new Failed(publish(request, new RestoreFailed(plan.cluster(), plan.restoreId(),
                    failure.step().wireName(), failure.getMessage())));
        } catch (BusUnavailable e) {
            // The restore's own work went on without the bus; what is left (resume archiving, its outcome) waits for
            // the broker: the request is run again, and goes on from what its state file says is done.
            LOG.warnf("[%s] restore %s of %s: the broker is out of reach (%s); run again once it is back",
                    request.correlationId(), plan.restoreId(), plan.cluster(), e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            LOG.errorf(e, "[%s] restore %s of %s failed", request.correlationId(), plan.restoreId(), plan.cluster());
            return new Failed(publish(request, new RestoreFailed(plan.cluster(), plan.restoreId(), "restore",
                    e.toString())));
        } finally {
            storages.values().forEach(BackupStorage::close);
        }
    }

    /**
     * The checks, on the topology and catalog as committed when the request is handled: a view that could not be
     * brought up to date in time is a refusal, never a plan made on what may be stale (a removed storage, an earlier
     * main, a catalog without the resync just asked for).
     */
    private RestorePlan plan(Envelope<RestoreRequested> request, RestoreRequested r)
            throws Refusal, InterruptedException {
        if (!bus.catchUpTopology()) {
            throw new Refusal(RestorePlanner.CHECK_REQUEST, "the topology (stowage.topology) could not be read to "
                    + "its end in time, so where cluster " + r.cluster() + " runs and which storages it has now is "
                    + "not known" + NOT_READ_IN_TIME);
        }
        TopologyApplied topology = bus.topology(r.cluster()).orElse(null);
        String storage = r.storage();
        if (r.backupSource() != null) {
            storage = awaitSource(r, topology);
            topology = bus.topology(r.cluster()).orElse(null);
        }
        catchUpCatalog(r);
        RestorePlanner.Decision decision = planner.plan(r, r.restoreId(), topology, storage, false);
        if (decision instanceof RestorePlanner.ResyncFirst first && placedAsProfileFor(request, topology, storage)) {
            // resync-service resyncs a profile placed for this request on its own: wait for that one first.
            awaitProfileResync(request, r, storage);
            catchUpCatalog(r);
            decision = planner.plan(r, r.restoreId(), topology, storage, false);
        }
        if (decision instanceof RestorePlanner.ResyncFirst first) {
            resync(request, r, first);
            catchUpCatalog(r);
            decision = planner.plan(r, r.restoreId(), topology, storage, true);
        }
        return ((RestorePlanner.Go) decision).plan();
    }

    private void catchUpCatalog(RestoreRequested r) throws Refusal, InterruptedException {
        if (!bus.catchUpCatalog()) {
            throw new Refusal(RestorePlanner.CHECK_BACKUP, "the catalog (stowage.catalog) could not be read to its "
                    + "end in time, so which backups and WAL of cluster " + r.cluster() + " its storages hold now is "
                    + "not known" + NOT_READ_IN_TIME);
        }
    }

    /** The backupSource's name in the topology, once config-service has placed it there (seed 1). */
    private String awaitSource(RestoreRequested r, TopologyApplied topology) throws Refusal, InterruptedException {
        if (topology == null) {
            throw new Refusal(RestorePlanner.CHECK_REQUEST, "cluster " + r.cluster()
                    + " is not in the applied topology");
        }
        BackupSources.Placement placement = placement(r, topology);
        long deadline = System.nanoTime() + settings.placementTimeout().toNanos();
        while (true) {
            Optional<TopologyApplied> now = bus.topology(r.cluster());
            if (now.isPresent() && now.get().spec().storages().containsKey(placement.storage())) {
                return placement.storage();
            }
            if (System.nanoTime() > deadline) {
                throw new Refusal(RestorePlanner.CHECK_REQUEST, "the backupSource was not placed in cluster "
                        + r.cluster() + "'s topology as storage '" + placement.storage() + "' within "
                        + settings.placementTimeout().toSeconds() + " s: is config-service running?");
            }
            Thread.sleep(200);
            // One that does not finish is only a later look: the deadline above bounds the wait.
            bus.catchUpTopology();
        }
    }

    private static BackupSources.Placement placement(RestoreRequested r, TopologyApplied topology) throws Refusal {
        try {
            return BackupSources.place(r.cluster(), r.backupSource(), r.storage(), topology.spec().storages());
        } catch (IllegalArgumentException e) {
            throw new Refusal(RestorePlanner.CHECK_REQUEST, e.getMessage());
        }
    }

    /**
     * Whether {@code storage} is a profile config-service placed for this very request: it answers a backupSource in
     * the request's correlation (maybe before this saga first looked), and resync-service then resyncs the new
     * profile on its own (the fan-out's {@code storage.changed.v1} PROFILE_ADDED). A profile an earlier restore left
     * in place, or a temporary main, gets no such resync.
     */
    private boolean placedAsProfileFor(Envelope<RestoreRequested> request, TopologyApplied topology, String storage) {
        return request.data().backupSource() != null && topology != null && topology.profiles().contains(storage)
                && bus.topologyAppliedIn(topology.cluster()).filter(request.correlationId()::equals).isPresent();
    }

    /**
     * Waits for the resync of a profile placed for this request rather than asking for a second one of the same
     * storage. If it does not end in time, or fails, the plan asks for one of its own.
     */
    private void awaitProfileResync(Envelope<RestoreRequested> request, RestoreRequested r, String storage)
            throws InterruptedException {
        // Its resync ends after the placement, which came after the request: a few seconds of slack for clocks.
        OffsetDateTime since = request.time().minusSeconds(5);
        Optional<RestoreBus.ResyncOutcome> outcome = bus.awaitResync(r.cluster(), storage, since,
                settings.resyncTimeout());
        LOG.infof("[%s] restore %s: the new profile '%s' %s", request.correlationId(), r.restoreId(), storage,
                outcome.isEmpty() ? "was not resynced in time" : outcome.get().completed() ? "is resynced"
                        : "could not be resynced: " + outcome.get().reason());
    }

    private void resync(Envelope<RestoreRequested> request, RestoreRequested r, RestorePlanner.ResyncFirst first)
            throws Refusal, InterruptedException {
        LOG.infof("[%s] restore %s: resync of storage '%s' first (%s)", request.correlationId(), r.restoreId(),
                first.storage(), first.why());
        Optional<RestoreBus.ResyncOutcome> outcome = bus.resync(Envelope.causedBy(request, source,
                new ResyncRequested(r.cluster(), first.storage(), null, "restore " + r.restoreId() + ": "
                        + first.why())), settings.resyncTimeout());
        if (outcome.isEmpty()) {
            throw new Refusal(RestorePlanner.CHECK_BACKUP, "storage '" + first.storage() + "' was resynced for this "
                    + "restore (" + first.why() + "), but the resync did not end within " + settings.resyncTimeout()
                    + ": is resync-service running?");
        }
        if (!outcome.get().completed()) {
            throw new Refusal(RestorePlanner.CHECK_BACKUP, "the resync of storage '" + first.storage()
                    + "' failed: " + outcome.get().reason());
        }
    }

    private <T extends StowageEvent> T publish(Envelope<?> cause, T data) {
        bus.publish(Envelope.causedBy(cause, source, data));
        return data;
    }
}
