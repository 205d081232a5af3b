package io.stowage.restore.plan;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.PitrTarget;
import io.stowage.events.data.VolumeTarget;
import io.stowage.events.spec.PostgresSpec;

import java.nio.file.Path;
import java.util.List;

/**
 * A restore that passed its checks: what is restored, from where, up to which point, and into which folder.
 *
 * @param storage        the ONE storage the base backup is read from
 * @param wal            the WAL segments replay needs after the backup's own, each run from its storage (empty
 *                       without a target)
 * @param lastSegment    the newest segment known to the chain when the restore was planned (null without a target)
 * @param histories      the storages holding each known timeline's history file, so the restored server picks a
 *                       timeline no earlier restore used
 * @param dataDirectory  the folder the cluster runs from after the restore (in place: its data directory)
 * @param port           the port the restored server listens on
 * @param inPlace        whether the running primary is replaced (else a new instance is started beside it)
 * @param volume         a new Kubernetes volume the restore goes into, by a Job (null otherwise): the data directory
 *                       is then {@value #VOLUME_DATA_FOLDER} in the volume, and the promoted copy is shut down
 */
public record RestorePlan(
        String cluster,
        String restoreId,
        String storage,
        CatalogBackup backup,
        PitrTarget pitr,
        List<WalChain.Piece> wal,
        Long lastSegment,
        List<History> histories,
        PostgresSpec postgres,
        Path dataDirectory,
        int port,
        boolean inPlace,
        boolean pitrArchiving,
        boolean backupAfterRestore,
        VolumeTarget volume) {

    /** Where a restore Job mounts its volume, and the data directory's folder in it. */
    public static final Path VOLUME_MOUNT = Path.of("/var/lib/stowage/restore");
    public static final String VOLUME_DATA_FOLDER = "pgdata";
    /** The port the restored server listens on in a restore Job, on 127.0.0.1 only. */
    public static final int VOLUME_PORT = 5432;

    /** A restore on this host: in place, or to a new instance. */
    public RestorePlan(String cluster, String restoreId, String storage, CatalogBackup backup, PitrTarget pitr,
                       List<WalChain.Piece> wal, Long lastSegment, List<History> histories, PostgresSpec postgres,
                       Path dataDirectory, int port, boolean inPlace, boolean pitrArchiving,
                       boolean backupAfterRestore) {
        this(cluster, restoreId, storage, backup, pitr, wal, lastSegment, histories, postgres, dataDirectory, port,
                inPlace, pitrArchiving, backupAfterRestore, null);
    }

    /** Whether the restore goes into a new volume, run by a Job. */
    public boolean intoVolume() {
        return volume != null;
    }

    /**
     * The same plan where the Job's volume is mounted at {@code mount}, reached on this host as {@code postgres}
     * (127.0.0.1, this process's OS user, the programs found here).
     */
    public RestorePlan onVolume(Path mount, PostgresSpec postgres) {
        return new RestorePlan(cluster, restoreId, storage, backup, pitr, wal, lastSegment, histories, postgres,
                mount.resolve(VOLUME_DATA_FOLDER), port, false, pitrArchiving, false, volume);
    }

    /** A timeline's history file and the storage it is read from. */
    public record History(String storage, long timeline) {
    }

    public long timeline() {
        return Long.parseLong(backup.timeline(), 16);
    }

    /** Where the backup is restored to first: beside the data directory, in place; the target itself otherwise. */
    public Path restoreDirectory() {
        return inPlace ? dataDirectory.resolveSibling(dataDirectory.getFileName() + ".restore-" + restoreId)
                : dataDirectory;
    }

    /** Where the previous data directory is kept, in place (never deleted). */
    public Path keptDirectory() {
        return dataDirectory.resolveSibling(dataDirectory.getFileName() + ".before-" + restoreId);
    }

    /** The restore's own record of its steps, beside the folders it makes; it stays as a note of what was done. */
    public Path stateFile() {
        return stateFile(dataDirectory, restoreId);
    }

    /** Where restore {@code restoreId} into {@code dataDirectory} keeps its state file. */
    public static Path stateFile(Path dataDirectory, String restoreId) {
        return dataDirectory.resolveSibling(dataDirectory.getFileName() + ".restore-" + restoreId + ".json");
    }

    public String describeTarget() {
        if (pitr == null) {
            return "the end of the backup";
        }
        return pitr.time() != null ? "time " + pitr.time() : "LSN " + pitr.lsn();
    }
}
