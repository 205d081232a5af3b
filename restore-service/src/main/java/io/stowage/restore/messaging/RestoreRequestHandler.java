package io.stowage.restore.messaging;

import io.stowage.bus.ClusterTopologies;
import io.stowage.bus.EventHandler;
import io.stowage.bus.EventPublisher;
import io.stowage.events.BackupSources;
import io.stowage.events.Envelope;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.StorageSpec;
import io.stowage.restore.plan.Refusal;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.plan.RestorePlanner;
import io.stowage.restore.steps.PostgresControl;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.restore.steps.StepFailure;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.SecretSource;
import io.stowage.storage.Storages;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What restore-service does with a {@code restore.requested.v1}: the checks (refusals name their reason), a resync
 * of the storage first when the catalog does not know the backup there, then the restore's steps, and its outcome.
 * Requests are handled one at a time, in the consumer's thread; the request's offset is committed only once the
 * restore has ended, so a restore-service killed mid-restore runs the same restore again when it comes back (or
 * another instance does), from what its state file says is done.
 */
public final class RestoreRequestHandler implements EventHandler {
    private static final Logger LOG = Logger.getLogger(RestoreRequestHandler.class);
    private static final Duration TOPOLOGY_WAIT = Duration.ofSeconds(60);

    /** Waits until the topology (or catalog) follower has read everything committed up to now. */
    @FunctionalInterface
    public interface CatchUp {
        void await() throws InterruptedException;
    }

    /** Settings of the handler. */
    public record Settings(Duration answerTimeout, Duration resyncTimeout, RestoreRun.Timings timings) {
    }

    private final ClusterTopologies topologies;
    private final CatchUp topologyCatchUp;
    private final CatchUp catalogCatchUp;
    private final RestorePlanner planner;
    private final RestoreLog log;
    private final EventPublisher publisher;
    private final SecretSource secrets;
    private final Settings settings;
    private final String source;

    public RestoreRequestHandler(ClusterTopologies topologies, CatchUp topologyCatchUp, CatchUp catalogCatchUp,
                                 RestorePlanner planner, RestoreLog log, EventPublisher publisher,
                                 SecretSource secrets, Settings settings, String source) {
        this.topologies = topologies;
        this.topologyCatchUp = topologyCatchUp;
        this.catalogCatchUp = catalogCatchUp;
        this.planner = planner;
        this.log = log;
        this.publisher = publisher;
        this.secrets = secrets;
        this.settings = settings;
        this.source = source;
    }

    @Override
    public void handle(Envelope<StowageEvent> event) {
        if (event.data() instanceof RestoreRequested r) {
            try {
                restore(event, r);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void restore(Envelope<StowageEvent> request, RestoreRequested r) throws InterruptedException {
        String restoreId = r.restoreId() != null ? r.restoreId() : request.id();
        if (log.completed(r.cluster(), restoreId)) {
            LOG.infof("[%s] restore %s of %s already completed; not run again", request.correlationId(), restoreId,
                    r.cluster());
            return;
        }
        RestoreRequested withId = new RestoreRequested(r.cluster(), r.backupId(), r.storage(), r.pitr(),
                r.backupSource(), r.backupAfterRestore(), restoreId, r.target());
        RestorePlan plan;
        try {
            plan = plan(request, withId);
        } catch (Refusal refusal) {
            LOG.warnf("[%s] restore %s of %s refused (%s): %s", request.correlationId(), restoreId, r.cluster(),
                    refusal.check(), refusal.getMessage());
            publish(request, new RestoreFailed(r.cluster(), restoreId, refusal.check(), refusal.getMessage()));
            return;
        }
        LOG.infof("[%s] restore %s of %s: backup %s from storage '%s' to %s, into %s", request.correlationId(),
                restoreId, r.cluster(), plan.backup().backupId(), plan.storage(), plan.describeTarget(),
                plan.dataDirectory());
        publish(request, new RestoreStarted(r.cluster(), restoreId, plan.backup().backupId(), plan.storage()));
        TopologyApplied topology = topologies.get(r.cluster()).orElseThrow();
        Map<String, BackupStorage> storages = open(topology, plan.storage());
        try {
            PostgresControl postgres = new PostgresControl(plan.postgres(), password(plan));
            RestoreRun.Outcome outcome = new RestoreRun(plan, storages, postgres,
                    new Coordination(request, plan), settings.timings()).run();
            publish(request, new RestoreCompleted(r.cluster(), restoreId, plan.backup().backupId(), plan.storage(),
                    outcome.dataDirectory().toString(),
                    outcome.previousDataDirectory() == null ? null : outcome.previousDataDirectory().toString()));
            LOG.infof("[%s] restore %s of %s completed: the cluster runs on %s", request.correlationId(), restoreId,
                    r.cluster(), outcome.dataDirectory());
        } catch (StepFailure failure) {
            LOG.errorf("[%s] restore %s of %s failed at %s: %s", request.correlationId(), restoreId, r.cluster(),
                    failure.step().wireName(), failure.getMessage());
            publish(request, new RestoreFailed(r.cluster(), restoreId, failure.step().wireName(),
                    failure.getMessage()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "[%s] restore %s of %s failed", request.correlationId(), restoreId, r.cluster());
            publish(request, new RestoreFailed(r.cluster(), restoreId, "restore", e.toString()));
        } finally {
            storages.values().forEach(BackupStorage::close);
        }
    }

    private RestorePlan plan(Envelope<StowageEvent> request, RestoreRequested r)
            throws Refusal, InterruptedException {
        topologyCatchUp.await();
        TopologyApplied topology = topologies.get(r.cluster()).orElse(null);
        String storage = r.storage();
        if (r.backupSource() != null) {
            storage = awaitSource(r, topology);
            topology = topologies.get(r.cluster()).orElse(null);
        }
        catalogCatchUp.await();
        RestorePlanner.Decision decision = planner.plan(r, r.restoreId(), topology, storage, false);
        if (decision instanceof RestorePlanner.ResyncFirst first) {
            resync(request, r, first);
            catalogCatchUp.await();
            decision = planner.plan(r, r.restoreId(), topology, storage, true);
        }
        return ((RestorePlanner.Go) decision).plan();
    }

    /** The backupSource's name in the topology, once config-service has placed it there (seed 1). */
    private String awaitSource(RestoreRequested r, TopologyApplied topology) throws Refusal, InterruptedException {
        if (topology == null) {
            throw new Refusal(RestorePlanner.CHECK_REQUEST, "cluster " + r.cluster()
                    + " is not in the applied topology");
        }
        BackupSources.Placement placement;
        try {
            placement = BackupSources.place(r.cluster(), r.backupSource(), r.storage(), topology.spec().storages());
        } catch (IllegalArgumentException e) {
            throw new Refusal(RestorePlanner.CHECK_REQUEST, e.getMessage());
        }
        long deadline = System.nanoTime() + TOPOLOGY_WAIT.toNanos();
        while (true) {
            Optional<TopologyApplied> now = topologies.get(r.cluster());
            if (now.isPresent() && now.get().spec().storages().containsKey(placement.storage())) {
                return placement.storage();
            }
            if (System.nanoTime() > deadline) {
                throw new Refusal(RestorePlanner.CHECK_REQUEST, "the backupSource was not placed in cluster "
                        + r.cluster() + "'s topology as storage '" + placement.storage() + "' within "
                        + TOPOLOGY_WAIT.toSeconds() + " s: is config-service running?");
            }
            Thread.sleep(200);
            topologyCatchUp.await();
        }
    }

    private void resync(Envelope<StowageEvent> request, RestoreRequested r, RestorePlanner.ResyncFirst first)
            throws Refusal, InterruptedException {
        OffsetDateTime asked = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1);
        LOG.infof("[%s] restore %s: resync of storage '%s' first (%s)", request.correlationId(), r.restoreId(),
                first.storage(), first.why());
        publish(request, new ResyncRequested(r.cluster(), first.storage(), null,
                "restore " + r.restoreId() + ": " + first.why()));
        Optional<RestoreLog.ResyncOutcome> outcome = log.awaitResync(r.cluster(), first.storage(), asked,
                settings.resyncTimeout());
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

    /** The cluster's storages, opened, the main first: the backup's storage and every one WAL may be read from. */
    private Map<String, BackupStorage> open(TopologyApplied topology, String backupStorage) {
        Map<String, BackupStorage> opened = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        if (topology.main() != null) {
            order.add(topology.main());
        }
        topology.spec().storages().keySet().stream().sorted().filter(s -> !order.contains(s)).forEach(order::add);
        for (String name : order) {
            StorageSpec spec = topology.spec().storages().get(name);
            try {
                opened.put(name, Storages.open(topology.cluster(), name, spec, secrets));
            } catch (RuntimeException e) {
                if (name.equals(backupStorage)) {
                    opened.values().forEach(BackupStorage::close);
                    throw e;
                }
                LOG.warnf("cluster %s: storage '%s' cannot be opened, its WAL is not read: %s", topology.cluster(),
                        name, e.getMessage());
            }
        }
        return opened;
    }

    private String password(RestorePlan plan) {
        String secret = plan.postgres().passwordSecret();
        return secret == null ? null : new String(secrets.read(secret, "PASSWORD"), StandardCharsets.UTF_8).trim();
    }

    private void publish(Envelope<?> cause, StowageEvent data) {
        publisher.publishAndWait(Envelope.causedBy(cause, source, data));
    }

    /** The steps' events, and backup-service's pause and resume as a request and its answer. */
    private final class Coordination implements RestoreRun.Coordination {
        private final Envelope<StowageEvent> request;
        private final RestorePlan plan;

        Coordination(Envelope<StowageEvent> request, RestorePlan plan) {
            this.request = request;
            this.plan = plan;
        }

        @Override
        public void step(RestoreStepName step, RestoreStepStatus status, String detail) {
            publish(request, new RestoreStep(plan.cluster(), plan.restoreId(), step, status, detail));
        }

        @Override
        public void pauseArchiving() throws StepFailure {
            handshake(RestoreStepName.PAUSE_ARCHIVING, "pause WAL archiving and backups of " + plan.cluster());
        }

        @Override
        public void resumeArchiving() throws StepFailure {
            handshake(RestoreStepName.RESUME_ARCHIVING, "resume WAL archiving and backups of " + plan.cluster());
        }

        private void handshake(RestoreStepName step, String what) throws StepFailure {
            Envelope<RestoreStep> ask = Envelope.causedBy(request, source,
                    new RestoreStep(plan.cluster(), plan.restoreId(), step, RestoreStepStatus.STARTED, what));
            publisher.publishAndWait(ask);
            try {
                if (log.awaitAnswer(ask.id(), settings.answerTimeout()).isEmpty()) {
                    throw new StepFailure(step, "backup-service did not answer '" + step.wireName() + "' within "
                            + settings.answerTimeout() + ": is it running?");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepFailure(step, "interrupted", e);
            }
        }

        @Override
        public String requestBackup() {
            String backupId = "after-" + plan.restoreId();
            publish(request, new BackupRequested(plan.cluster(), null, backupId));
            return backupId;
        }
    }
}
