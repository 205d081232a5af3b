package io.stowage.restore.service;

import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.StorageSpec;
import io.stowage.postgres.PasswordSecret;
import io.stowage.postgres.ServerConnection;
import io.stowage.postgres.ServerControl;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.restore.steps.StepFailure;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.SecretSource;
import io.stowage.storage.Storages;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** This machine as the restore's host: storages opened with secrets from {@code secrets}, PostgreSQL by pg_ctl. */
public final class LocalRestoreHost implements RestoreHost {
    private static final Logger LOG = Logger.getLogger(LocalRestoreHost.class);

    private final SecretSource secrets;
    private final RestoreRun.Timings timings;

    public LocalRestoreHost(SecretSource secrets, RestoreRun.Timings timings) {
        this.secrets = secrets;
        this.timings = timings;
    }

    @Override
    public Map<String, BackupStorage> open(TopologyApplied topology, String backupStorage) {
        Map<String, BackupStorage> opened = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        if (topology.main() != null) {
            order.add(topology.main());
        }
        topology.spec().storages().keySet().stream().sorted().filter(s -> !order.contains(s)).forEach(order::add);
        for (String name : order) {
            StorageSpec spec = topology.spec().storages().get(name);
            try {
                opened.put(name, Storages.open(topology.cluster(), name, spec, secrets));
            } catch (RuntimeException e) {
                if (name.equals(backupStorage)) {
                    opened.values().forEach(BackupStorage::close);
                    throw e;
                }
                LOG.warnf("cluster %s: storage '%s' cannot be opened, its WAL is not read: %s", topology.cluster(),
                        name, e.getMessage());
            }
        }
        return opened;
    }

    @Override
    public RestoreRun.Outcome run(RestorePlan plan, Map<String, BackupStorage> storages, RestoreRun.Coordination bus)
            throws StepFailure {
        ServerConnection sql = new ServerConnection(plan.postgres(), password(plan), "stowage-restore",
                Duration.ofSeconds(5));
        return new RestoreRun(plan, storages, new ServerControl(plan.postgres()), sql, bus, timings).run();
    }

    private String password(RestorePlan plan) {
        return PasswordSecret.read(plan.postgres(), secrets.forCluster(plan.cluster())::read);
    }
}
