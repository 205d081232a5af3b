package io.stowage.restore.service;

import io.stowage.events.Envelope;
import io.stowage.events.data.TopologyApplied;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.restore.steps.StepFailure;
import io.stowage.storage.BackupStorage;

import java.util.Map;

/**
 * Where a planned restore runs: this host (its PostgreSQL by pg_ctl), or, for a restore into a new volume, a
 * Kubernetes Job that runs the same steps.
 */
public interface RestoreHost {

    /**
     * The cluster's storages, opened, in the order WAL is read from them (the main first). A storage other than the
     * backup's that cannot be opened is left out (its WAL is not read); the backup's own throws. A host that runs
     * the steps elsewhere opens none here.
     */
    Map<String, BackupStorage> open(TopologyApplied topology, RestorePlan plan);

    /** Runs the plan's steps for {@code request}, reading from {@code storages}. */
    RestoreRun.Outcome run(Envelope<?> request, RestorePlan plan, TopologyApplied topology,
                           Map<String, BackupStorage> storages, RestoreRun.Coordination bus)
            throws StepFailure, InterruptedException;

    /** Whether restores into a new volume (target.volume) can run here. */
    default boolean restoresIntoVolumes() {
        return false;
    }
}
