package io.stowage.config.messaging;

import io.stowage.config.topology.BackupSourceApplier;
import io.stowage.config.topology.BackupSourcePlanner;
import io.stowage.config.topology.Cause;
import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.StowageEvent;
import org.jboss.logging.Logger;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * Follows {@code stowage.restore} for what touches the topology: a request with a backupSource, and the end
 * (completed or failed) of a restore. Each is handed to the apply thread and waited for, so it is ordered with
 * file changes and its offset is committed only once it is applied.
 */
public class RestoreFollower {
    /** Told of every restore event once handled, with what config-service decided about its backupSource. */
    @FunctionalInterface
    public interface Listener {
        /** @param placement the backupSource's placement (a request) or revert (an end); null for anything else */
        void handled(Envelope<StowageEvent> event, BackupSourcePlanner.Decision placement);
    }

    private static final Logger LOG = Logger.getLogger(RestoreFollower.class);

    private final BackupSourceApplier applier;
    private final ExecutorService applyThread;
    private volatile Listener listener;

    public RestoreFollower(BackupSourceApplier applier, ExecutorService applyThread) {
        this.applier = applier;
        this.applyThread = applyThread;
    }

    /** Who follows the restores (the Restore resources); set once they are followed. */
    public void listen(Listener listener) {
        this.listener = listener;
    }

    public void handle(Envelope<StowageEvent> event) {
        StowageEvent data = event.data();
        BackupSourcePlanner.Decision decision = null;
        if (data instanceof RestoreRequested r && r.backupSource() != null) {
            // restore-service's rule too: without a restoreId, the request's CloudEvents id is the restore's id.
            String restoreId = r.restoreId() != null ? r.restoreId() : event.id();
            decision = onApplyThread(() -> applier.requested(r, restoreId, event.id(),
                    new Cause(event.correlationId(), event.id())));
        } else if (data instanceof RestoreCompleted c) {
            decision = onApplyThread(() -> applier.ended(c.cluster(), c.restoreId(), "completed", event.id()));
        } else if (data instanceof RestoreFailed f) {
            decision = onApplyThread(() -> applier.ended(f.cluster(), f.restoreId(), "failed", event.id()));
        }
        Listener l = listener;
        if (l != null) {
            try {
                l.handled(event, decision);
            } catch (RuntimeException e) {
                // The topology is applied: following the restore is status only, and must not refuse the event.
                LOG.warnf("restore event %s: could not be followed: %s", event.id(), e.getMessage());
            }
        }
    }

    private BackupSourcePlanner.Decision onApplyThread(Callable<BackupSourcePlanner.Decision> work) {
        try {
            return applyThread.submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while applying a restore event", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
