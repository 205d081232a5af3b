package io.stowage.config.messaging;

import io.stowage.config.topology.BackupSourceApplier;
import io.stowage.config.topology.Cause;
import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.StowageEvent;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * Follows {@code stowage.restore} for what touches the topology: a request with a backupSource, and the end
 * (completed or failed) of a restore. Each is handed to the apply thread and waited for, so it is ordered with
 * file changes and its offset is committed only once it is applied.
 */
public class RestoreFollower {
    private final BackupSourceApplier applier;
    private final ExecutorService applyThread;

    public RestoreFollower(BackupSourceApplier applier, ExecutorService applyThread) {
        this.applier = applier;
        this.applyThread = applyThread;
    }

    public void handle(Envelope<StowageEvent> event) {
        StowageEvent data = event.data();
        if (data instanceof RestoreRequested r && r.backupSource() != null) {
            // restore-service's rule too: without a restoreId, the request's CloudEvents id is the restore's id.
            String restoreId = r.restoreId() != null ? r.restoreId() : event.id();
            onApplyThread(() -> applier.requested(r, restoreId, event.id(),
                    new Cause(event.correlationId(), event.id())));
        } else if (data instanceof RestoreCompleted c) {
            onApplyThread(() -> applier.ended(c.cluster(), c.restoreId(), "completed", event.id()));
        } else if (data instanceof RestoreFailed f) {
            onApplyThread(() -> applier.ended(f.cluster(), f.restoreId(), "failed", event.id()));
        }
    }

    private void onApplyThread(Runnable work) {
        try {
            applyThread.submit(work).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while applying a restore event", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
