package io.stowage.config.topology;

import io.stowage.config.model.ConfigProblem;

import java.util.List;

/** Where the reconciler's decisions go: the bus in production, a list in tests. */
public interface TopologyPublisher {
    /** Publishes one cluster's plan atomically; throws if it could not, and then nothing was published. */
    void publish(TopologyPlan plan);

    /**
     * Publishes several clusters' plans: on the bus atomically (one transaction; throws if it could not, and then
     * nothing was published). This default, for publishers without transactions (tests), publishes them in turn.
     */
    default void publishAll(List<TopologyPlan> plans) {
        plans.forEach(this::publish);
    }

    /** Publishes a refusal of a config file: a root event of its own. */
    default void reject(ConfigProblem problem) {
        reject(problem, null);
    }

    /** Publishes a refusal; with a cause, in that event's correlation (a refused restore's backupSource). */
    void reject(ConfigProblem problem, Cause cause);
}
