package io.stowage.config.topology;

import io.stowage.config.model.ConfigProblem;

/** Where the reconciler's decisions go: the bus in production, a list in tests. */
public interface TopologyPublisher {
    /** Publishes one cluster's plan atomically; throws if it could not, and then nothing was published. */
    void publish(TopologyPlan plan);

    /** Publishes a refusal. */
    void reject(ConfigProblem problem);
}
