package io.stowage.restore.service;

import io.stowage.events.data.TopologyApplied;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.restore.steps.StepFailure;
import io.stowage.storage.BackupStorage;

import java.util.Map;

/** Where a planned restore runs: the cluster's storages, opened, and the steps on this host's PostgreSQL. */
public interface RestoreHost {

    /**
     * The cluster's storages, opened, in the order WAL is read from them (the main first). A storage other than the
     * backup's that cannot be opened is left out (its WAL is not read); the backup's own throws.
     */
    Map<String, BackupStorage> open(TopologyApplied topology, String backupStorage);

    /** Runs the plan's steps, reading from {@code storages}. */
    RestoreRun.Outcome run(RestorePlan plan, Map<String, BackupStorage> storages, RestoreRun.Coordination bus)
            throws StepFailure;
}
