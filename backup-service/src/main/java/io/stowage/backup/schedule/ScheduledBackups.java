package io.stowage.backup.schedule;

import io.stowage.backup.topology.StorageOpener;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.StorageSpec;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.StorageLayout;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.List;

/** Looks on the storages whether a schedule's backup is there already. */
public final class ScheduledBackups {
    private static final Logger LOG = Logger.getLogger(ScheduledBackups.class);

    private ScheduledBackups() {
    }

    /**
     * True when the backup's manifest is on every one of the storages. A storage that cannot be read counts as
     * not holding it: the due time is then fired, and backup-service finds out what is there.
     */
    public static boolean completeOnEvery(TopologyApplied topology, String backupId, List<String> names, StorageOpener opener) {
        if (names.isEmpty()) {
            return false;
        }
        for (String name : names) {
            StorageSpec spec = topology.spec().storages().get(name);
            if (spec == null) {
                return false;
            }
            try (BackupStorage storage = opener.open(topology.cluster(), name, spec)) {
                if (storage.stat(StorageLayout.manifest(backupId)).isEmpty()) {
                    return false;
                }
            } catch (IOException | RuntimeException e) {
                LOG.debugf("schedule: could not look for %s on %s: %s", backupId, name, e.getMessage());
                return false;
            }
        }
        return true;
    }
}
