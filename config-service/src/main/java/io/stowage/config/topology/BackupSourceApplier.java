package io.stowage.config.topology;

import io.stowage.config.model.ConfigProblem;
import io.stowage.events.data.RestoreRequested;
import org.jboss.logging.Logger;

/**
 * Applies restores' backupSources to the applied topology: plans with {@link BackupSourcePlanner}, publishes, and
 * records what was committed. Runs on the apply thread, so it is ordered with file changes.
 */
public final class BackupSourceApplier {
    private static final Logger LOG = Logger.getLogger(BackupSourceApplier.class);

    private final AppliedTopologies applied;
    private final TopologyPublisher publisher;

    public BackupSourceApplier(AppliedTopologies applied, TopologyPublisher publisher) {
        this.applied = applied;
        this.publisher = publisher;
    }

    /**
     * A {@code restore.requested.v1} with a backupSource.
     *
     * @param eventId the request's CloudEvents id, named in a refusal
     */
    public synchronized BackupSourcePlanner.Decision requested(RestoreRequested request, String restoreId,
                                                               String eventId, Cause cause) {
        String cluster = request.cluster();
        BackupSourcePlanner.Decision decision = BackupSourcePlanner.requested(request, restoreId,
                applied.get(cluster).orElse(null), applied.overlay(cluster), applied.all().values(), cause);
        if (decision instanceof BackupSourcePlanner.Refused r) {
            ConfigProblem problem = new ConfigProblem("restore.requested.v1 " + eventId + " (restore " + restoreId
                    + ")", null, cluster, r.field(), r.reason());
            LOG.warnf("[%s] backupSource refused: %s", cause.correlationId(), problem.describe());
            publisher.reject(problem, cause);
        } else if (decision instanceof BackupSourcePlanner.Unchanged u) {
            LOG.infof("[%s] restore %s: %s; nothing changes", cause.correlationId(), restoreId, u.why());
        } else if (decision instanceof BackupSourcePlanner.Change c) {
            commit(c.plan());
        }
        return decision;
    }

    /** A {@code restore.completed.v1} or {@code restore.failed.v1}. */
    public synchronized BackupSourcePlanner.Decision ended(String cluster, String restoreId, String outcome,
                                                           String eventId) {
        BackupSourcePlanner.Decision decision = BackupSourcePlanner.ended(cluster, restoreId, outcome, eventId,
                applied.get(cluster).orElse(null), applied.overlay(cluster));
        if (decision instanceof BackupSourcePlanner.Change c) {
            commit(c.plan());
        }
        return decision;
    }

    private void commit(TopologyPlan plan) {
        // Throws when nothing was committed: the applied topology stays, and the consumer reports the event.
        publisher.publish(plan);
        applied.put(plan.next(), plan.overlay());
    }
}
