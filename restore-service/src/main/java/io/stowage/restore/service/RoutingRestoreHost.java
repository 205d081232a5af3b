package io.stowage.restore.service;

import io.stowage.events.Envelope;
import io.stowage.events.data.TopologyApplied;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.restore.steps.StepFailure;
import io.stowage.storage.BackupStorage;

import java.util.Map;

/** This host for restores in place and to a new instance; a Job host, when there is one, for new volumes. */
public final class RoutingRestoreHost implements RestoreHost {
    private final RestoreHost local;
    private final RestoreHost volumes;

    /** @param volumes where restores into a new volume run, or null where there is no such host */
    public RoutingRestoreHost(RestoreHost local, RestoreHost volumes) {
        this.local = local;
        this.volumes = volumes;
    }

    @Override
    public Map<String, BackupStorage> open(TopologyApplied topology, RestorePlan plan) {
        return hostOf(plan).open(topology, plan);
    }

    @Override
    public RestoreRun.Outcome run(Envelope<?> request, RestorePlan plan, TopologyApplied topology,
                                  Map<String, BackupStorage> storages, RestoreRun.Coordination bus)
            throws StepFailure, InterruptedException {
        return hostOf(plan).run(request, plan, topology, storages, bus);
    }

    @Override
    public boolean restoresIntoVolumes() {
        return volumes != null;
    }

    private RestoreHost hostOf(RestorePlan plan) {
        if (!plan.intoVolume()) {
            return local;
        }
        if (volumes == null) {
            throw new IllegalStateException("restores into a new volume run as Kubernetes Jobs: this restore-service "
                    + "does not make them (stowage.restore.jobs.enabled=false)");
        }
        return volumes;
    }
}
