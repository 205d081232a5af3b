package io.stowage.resync.retention;

import io.stowage.bus.Retries;
import io.stowage.events.Envelope;
import io.stowage.events.data.BackupDeleteFailed;
import io.stowage.events.data.BackupDeleteRequested;
import io.stowage.events.data.ResyncEvent;
import io.stowage.events.data.RetentionCompleted;
import io.stowage.events.data.RetentionFailed;
import io.stowage.resync.service.CatalogKeeper;
import io.stowage.resync.service.ClusterMoved;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * Runs expiries one at a time, on a thread of their own (they delete files: never on the inputs channel's thread).
 * After a completed backup, an expiry of its cluster is queued unless one is queued already; it says something
 * ({@code retention.completed.v1}, {@code retention.failed.v1}) only when it removed or held anything, or failed. A
 * request is always run and always answered, caused by it.
 */
public final class Expiries implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Expiries.class);

    private final Expiry expiry;
    private final CatalogKeeper keeper;
    private final String source;
    private final boolean enabled;
    private final Predicate<String> holds;
    private final Retries retries = Retries.standard();
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "retention");
        t.setDaemon(true);
        return t;
    });

    public Expiries(Expiry expiry, CatalogKeeper keeper, String source, boolean enabled) {
        this(expiry, keeper, source, enabled, cluster -> true);
    }

    /** @param holds whether this instance holds a cluster now: expiries of the others are theirs to run */
    public Expiries(Expiry expiry, CatalogKeeper keeper, String source, boolean enabled, Predicate<String> holds) {
        this.holds = holds;
        this.expiry = expiry;
        this.keeper = keeper;
        this.source = source;
        this.enabled = enabled;
    }

    /** Queues an expiry of the cluster, after a completed backup or an ended restore (nothing waits for it). */
    public void soon(String cluster, Envelope<?> cause) {
        if (!enabled || !holds.test(cluster) || !queued.add(cluster)) {
            return;
        }
        worker.submit(() -> {
            queued.remove(cluster);
            run(cluster, cause, false, () -> { });
        });
    }

    /** Runs an expiry the request asked for; {@code answered} runs once its outcome is on the bus. */
    public void requested(String cluster, Envelope<?> cause, Runnable answered) {
        if (!enabled) {
            answer(cause, Envelope.causedBy(cause, source, new RetentionFailed(cluster, "retention is off on this"
                    + " resync-service (stowage.retention.enabled=false)")), answered);
            return;
        }
        worker.submit(() -> run(cluster, cause, true, answered));
    }

    /**
     * Runs a delete request: {@code backup.removed.v1} per storage (published as each is removed), or
     * {@code backup.delete.failed.v1}; {@code answered} runs once the outcome is on the bus.
     */
    public void delete(BackupDeleteRequested r, Envelope<?> cause, Runnable answered, Set<String> removedBefore) {
        worker.submit(() -> {
            try {
                List<String> storages = expiry.delete(r, cause, removedBefore);
                LOG.infof("[%s] backup %s of %s deleted on request from %s", cause.correlationId(), r.backupId(),
                        r.cluster(), storages);
                answered.run();
            } catch (ClusterMoved moved) {
                LOG.infof("[%s] delete of backup %s: %s, which handles the request again", cause.correlationId(),
                        r.backupId(), moved.getMessage());
            } catch (Throwable e) {
                String storage = e instanceof Expiry.Refused refused ? refused.storage() : r.storage();
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.warnf("[%s] delete of backup %s of %s: %s", cause.correlationId(), r.backupId(), r.cluster(),
                        reason);
                answer(cause, Envelope.causedBy(cause, source,
                        new BackupDeleteFailed(r.cluster(), r.backupId(), storage, reason)), answered);
            }
        });
    }

    private void run(String cluster, Envelope<?> cause, boolean asked, Runnable answered) {
        long began = System.nanoTime();
        ResyncEvent outcome;
        try {
            Expiry.Outcome o = expiry.apply(cluster, cause);
            if (!asked && o.nothing()) {
                return;
            }
            outcome = new RetentionCompleted(cluster, o.backupsRemoved(), o.walRangesRemoved(), o.segmentsRemoved(),
                    o.heldForRestores(), (System.nanoTime() - began) / 1_000_000);
            LOG.infof("[%s] retention of %s: %d backups and %d WAL segments removed, %d held for restores",
                    cause.correlationId(), cluster, o.backupsRemoved(), o.segmentsRemoved(), o.heldForRestores());
        } catch (ClusterMoved moved) {
            // Stopped where it found the cluster gone: before a catalog change or a batch of deletions (backups
            // already marked EXPIRING are finished by the new holder, which takes the cluster over).
            LOG.infof("[%s] retention of %s stopped: %s", cause.correlationId(), cluster, moved.getMessage());
            return;
        } catch (Throwable e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.errorf("[%s] retention of %s failed: %s", cause.correlationId(), cluster, reason);
            outcome = new RetentionFailed(cluster, reason);
        }
        answer(cause, Envelope.causedBy(cause, source, outcome), answered);
    }

    /**
     * Publishes an outcome, then runs {@code answered}. With the broker out of reach it tries again, pausing as
     * {@link Retries#standard()} says, for as long as the outage lasts: the request is acknowledged only once
     * answered, and other expiries wait (they could not publish either). Stops when closed; the request, still
     * unacknowledged, is then delivered again.
     */
    private void answer(Envelope<?> cause, Envelope<?> outcome, Runnable answered) {
        for (int attempt = 1; ; attempt++) {
            try {
                keeper.publish(List.of(outcome));
                answered.run();
                return;
            } catch (RuntimeException e) {
                if (!Retries.isTransient(e) || worker.isShutdown()) {
                    LOG.errorf(e, "[%s] could not publish %s; the request is delivered again after a restart",
                            cause.correlationId(), outcome.type().type());
                    return;
                }
                Duration pause = retries.pause(attempt);
                LOG.warnf("[%s] could not publish %s (%s); trying again in %s", cause.correlationId(),
                        outcome.type().type(), e.getMessage(), pause);
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
