package io.stowage.config.leader;

/**
 * How config-service replicas choose the one that applies config: a Kubernetes Lease ({@link Leadership}) or a
 * Kafka consumer group ({@link KafkaElection}). Whoever leads fences the previous leader's transactions (one
 * transactional id for whoever leads), so a leader that has not noticed it lost cannot publish beside its successor.
 */
public interface Election extends AutoCloseable {

    /**
     * Takes part: {@code onStart} runs once this replica leads, {@code onStop} once it no longer does (it is never
     * given the lead again: the process is to stop).
     */
    void start(Runnable onStart, Runnable onStop);

    boolean leading();

    /** Leaves the election, so another replica leads at once. */
    @Override
    void close();
}
