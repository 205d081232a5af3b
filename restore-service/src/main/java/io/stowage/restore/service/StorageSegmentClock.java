package io.stowage.restore.service;

import io.stowage.bus.ClusterTopologies;
import io.stowage.restore.plan.RestorePlanner;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.SecretSource;
import io.stowage.storage.StorageLayout;
import io.stowage.storage.Storages;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Optional;

/** When a WAL segment was stored: its object's modification time on that cluster's storage. */
public final class StorageSegmentClock implements RestorePlanner.SegmentClock {
    private static final Logger LOG = Logger.getLogger(StorageSegmentClock.class);

    private final ClusterTopologies topologies;
    private final SecretSource secrets;

    public StorageSegmentClock(ClusterTopologies topologies, SecretSource secrets) {
        this.topologies = topologies;
        this.secrets = secrets;
    }

    @Override
    public Optional<Instant> storedAt(String cluster, String storage, long timeline, String segment) {
        return topologies.get(cluster).filter(t -> t.spec().storages().containsKey(storage))
                .flatMap(t -> {
                    try (BackupStorage s = Storages.open(t.cluster(), storage, t.spec().storages().get(storage),
                            secrets)) {
                        return s.stat(StorageLayout.walSegment(segment)).map(ObjectInfo::lastModified);
                    } catch (Exception e) {
                        LOG.warnf("cannot tell when %s was stored on '%s': %s", segment, storage, e.getMessage());
                        return Optional.empty();
                    }
                });
    }
}
