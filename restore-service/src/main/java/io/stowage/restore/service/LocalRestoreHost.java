package io.stowage.restore.service;

import io.stowage.events.Envelope;
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
    public Map<String, BackupStorage> open(TopologyApplied topology, RestorePlan plan) {
        return open(topology.cluster(), inWalOrder(topology), secrets, plan.storage());
    }

    /** The cluster's storages in the order WAL is read from them: the main first, then the others by name. */
    public static LinkedHashMap<String, StorageSpec> inWalOrder(TopologyApplied topology) {
        List<String> order = new ArrayList<>();
        if (topology.main() != null) {
            order.add(topology.main());
        }
        topology.spec().storages().keySet().stream().sorted().filter(s -> !order.contains(s)).forEach(order::add);
        LinkedHashMap<String, StorageSpec> specs = new LinkedHashMap<>();
        order.forEach(name -> specs.put(name, topology.spec().storages().get(name)));
        return specs;
    }

    /**
     * Opens {@code specs}, in their order; a storage other than {@code backupStorage} that cannot be opened is left
     * out (its WAL is not read), the backup's own throws.
     */
    public static Map<String, BackupStorage> open(String cluster, Map<String, StorageSpec> specs, SecretSource secrets,
                                                  String backupStorage) {
        Map<String, BackupStorage> opened = new LinkedHashMap<>();
        for (Map.Entry<String, StorageSpec> e : specs.entrySet()) {
            String name = e.getKey();
            try {
                opened.put(name, Storages.open(cluster, name, e.getValue(), secrets));
            } catch (RuntimeException ex) {
                if (name.equals(backupStorage)) {
                    opened.values().forEach(BackupStorage::close);
                    throw ex;
                }
                LOG.warnf("cluster %s: storage '%s' cannot be opened, its WAL is not read: %s", cluster, name,
                        ex.getMessage());
            }
        }
        return opened;
    }

    @Override
    public RestoreRun.Outcome run(Envelope<?> request, RestorePlan plan, TopologyApplied topology,
                                  Map<String, BackupStorage> storages, RestoreRun.Coordination bus)
            throws StepFailure {
        ServerConnection sql = new ServerConnection(plan.postgres(), password(plan), "stowage-restore",
                Duration.ofSeconds(5));
        return new RestoreRun(plan, storages, new ServerControl(plan.postgres()), sql, bus, timings).run();
    }

    private String password(RestorePlan plan) {
        return PasswordSecret.read(plan.postgres(), secrets.forCluster(plan.cluster())::read);
    }
}
