package io.stowage.backup.messaging;

import io.stowage.storage.BackupManifest;
import io.stowage.backup.pipeline.BackupRequests;
import io.stowage.backup.pipeline.BaseBackupRun;
import io.stowage.backup.postgres.PostgresTools;
import io.stowage.bus.BusUnavailable;
import io.stowage.bus.ClusterTopologies;
import io.stowage.backup.topology.StorageOpener;
import io.stowage.backup.wal.ArchivingPauses;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.TopologyCatchUp;
import io.stowage.events.Envelope;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupRequested;
import io.stowage.postgres.PasswordSecret;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.SecretSource;
import org.jboss.logging.Logger;

import io.stowage.backup.metrics.BackupMetrics;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Handles {@code backup.requested.v1}: decides against the applied topology, takes the backup, and answers with
 * {@code backup.completed.v1} or {@code backup.failed.v1}. No Kafka here: the channel (BackupRequestsChannel) gives
 * it one cluster's requests one at a time, in order, so a cluster never runs two backups at once.
 */
public final class BackupRequestHandler {
    private static final Logger LOG = Logger.getLogger(BackupRequestHandler.class);


    private final ClusterTopologies topologies;
    private final TopologyCatchUp catchUp;
    private final StorageOpener storages;
    private final SecretSource secrets;
    private final BaseBackupRun run;
    private final EventPublisher publisher;
    private final String source;
    private final ArchivingPauses pauses;
    private final BooleanSupplier stopping;
    private final BackupMetrics metrics;
    private final Duration lateAfter;

    /** @param stopping true once this instance is stopping: a backup it cuts short is not reported as failed */
    public BackupRequestHandler(ClusterTopologies topologies, TopologyCatchUp catchUp, StorageOpener storages,
                                SecretSource secrets, BaseBackupRun run, EventPublisher publisher, String source,
                                ArchivingPauses pauses, BooleanSupplier stopping, BackupMetrics metrics,
                                Duration lateAfter) {
        this.lateAfter = lateAfter;
        this.pauses = pauses;
        this.metrics = metrics;
        this.stopping = stopping;
        this.topologies = topologies;
        this.catchUp = catchUp;
        this.storages = storages;
        this.secrets = secrets;
        this.run = run;
        this.publisher = publisher;
        this.source = source;
    }

    /**
     * Takes the requested backup and publishes its outcome, a refusal included (as {@code backup.failed.v1}).
     *
     * @throws IllegalStateException when this instance stopped before the backup ended: nothing is published, and
     *                               the request is left to the next owner of its partition
     */
    public void handle(Envelope<BackupRequested> event) {
        BackupRequested request = event.data();
        BackupRequests.Decision decision = BackupRequests.decide(request,
                topologies.get(request.cluster()).orElse(null), event.id(), Instant.now(), lateAfter);
        if (decision.refusal() != null && catchUp.caughtUp()) {
            // The request may name a cluster or storage applied a moment ago: decide again on the current topology.
            decision = BackupRequests.decide(request, topologies.get(request.cluster()).orElse(null), event.id(),
                    Instant.now(), lateAfter);
        }
        String tag = "[" + event.correlationId() + "] backup " + decision.backupId() + " of " + request.cluster();
        Optional<ArchivingPauses.Request> paused = pauses.pausedBy(request.cluster());
        if (decision.refusal() == null && paused.isPresent()) {
            String reason = "cluster " + request.cluster() + " is being restored (restore " + paused.get().restoreId()
                    + "): backups resume when the restore ends";
            LOG.warnf("%s refused: %s", tag, reason);
            fail(event, request.cluster(), decision, reason);
            return;
        }
        if (decision.refusal() != null) {
            LOG.warnf("%s refused: %s", tag, decision.refusal());
            fail(event, request.cluster(), decision, decision.refusal());
            return;
        }
        Map<String, BackupStorage> opened = new LinkedHashMap<>();
        try {
            for (var e : decision.plan().storages().entrySet()) {
                opened.put(e.getKey(), storages.open(request.cluster(), e.getKey(), e.getValue()));
            }
            PostgresTools tools = new PostgresTools(decision.plan().postgres(), password(decision));
            LOG.infof("%s to %s: starting%s", tag, decision.storages(), decision.plan().schedule() == null ? ""
                    : " (schedule " + decision.plan().schedule() + ", due " + decision.plan().dueAt()
                    + (Boolean.TRUE.equals(decision.plan().late()) ? ", late" : "") + ")");
            metrics.started(request.cluster());
            long startNanos = System.nanoTime();
            BaseBackupRun.Result result = run.run(decision.plan(), opened, tools, event.id(), event.correlationId(),
                    new KafkaBackupEvents(publisher, event, source));
            BackupManifest m = result.manifest();
            LOG.infof("%s %s: %d bytes read, %d stored, WAL %s..%s, checked on every storage", tag,
                    switch (result.how()) {
                        case TAKEN -> "completed";
                        case ALREADY_COMPLETE -> "was already complete";
                        case COMPLETED_FROM_STORAGE -> "completed from the backup already on a storage";
                    }, m.tarBytes(), m.objects().get(0).sizeBytes(), m.startLsn(), m.stopLsn());
            long stored = m.objects().stream().mapToLong(BackupManifest.StoredObject::sizeBytes).sum();
            publisher.publishAndWait(Envelope.causedBy(event, source, new BackupCompleted(request.cluster(),
                    m.backupId(), decision.storages(), m.startLsn(), m.stopLsn(), m.timeline(), m.startTime(),
                    m.stopTime(), m.tarBytes(), stored, m.schedule(), m.late())));
            metrics.completed(request.cluster(), decision.storages(), Duration.ofNanos(System.nanoTime() - startNanos),
                    m.tarBytes(), stored, Instant.now());
        } catch (BusUnavailable e) {
            // Not the backup's failure: the broker did not take one of its events, maybe its outcome after the backup
            // was written. The request is run again once the broker is back (a complete backup is found complete,
            // not taken twice) instead of being answered as failed.
            LOG.warnf("%s: its events could not be published (%s); run again once the broker is back", tag,
                    e.getMessage());
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (stopping.getAsBoolean()) {
                LOG.warnf("%s cut short: this instance is stopping (%s)", tag, reason);
                throw new IllegalStateException("backup " + decision.backupId() + " cut short by a shutdown", e);
            }
            LOG.errorf("%s failed: %s", tag, reason);
            fail(event, request.cluster(), decision, reason);
        } finally {
            opened.values().forEach(BackupStorage::close);
        }
    }


    private String password(BackupRequests.Decision decision) {
        return PasswordSecret.read(decision.plan().postgres(), secrets.forCluster(decision.plan().cluster())::read);
    }

    private void fail(Envelope<BackupRequested> request, String cluster, BackupRequests.Decision decision, String reason) {
        metrics.failed(cluster);
        publisher.publishAndWait(Envelope.causedBy(request, source,
                new BackupFailed(cluster, decision.backupId(), decision.storages(), reason)));
    }
}
