package io.stowage.resync.catalog;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.data.WalArchived;
import io.stowage.storage.BackupManifest;

import java.util.List;
import java.util.Optional;

/** How events that report new facts change catalog entries, without a resync. */
public final class CatalogUpdates {
    private CatalogUpdates() {
    }

    /**
     * A backup as its manifest on one storage describes it: the same entry whether a resync found it or a completed
     * backup's check read it, so the next resync has nothing to rewrite.
     *
     * @param backupId the backup's folder on the storage
     * @param wrong    what is wrong with its objects (missing, truncated): empty for a complete backup
     */
    public static CatalogBackup listed(String cluster, String storage, String backupId, BackupManifest m,
                                       String manifestSha256, List<String> wrong) {
        return new CatalogBackup(cluster, storage, backupId,
                wrong.isEmpty() ? CatalogBackup.COMPLETE : CatalogBackup.INCOMPLETE,
                wrong.isEmpty() ? null : String.join("; ", wrong), m.startLsn(), m.stopLsn(), m.timeline(),
                m.startTime(), m.stopTime(), m.tarBytes(), storedBytes(m), manifestSha256, m.schedule(), m.late());
    }

    /** The bytes of a backup's objects on a storage, as its manifest lists them. */
    public static long storedBytes(BackupManifest m) {
        return m.objects().stream().mapToLong(BackupManifest.StoredObject::sizeBytes).sum();
    }

    /** The WAL entry with one more archived file, or empty when it holds that file already. */
    public static Optional<CatalogWal> archived(Optional<CatalogWal> current, WalArchived a) {
        CatalogWal base = current.orElse(new CatalogWal(a.cluster(), a.storage(), a.timeline(), List.of(), 0, false));
        if (a.segment().endsWith(".history")) {
            return base.historyFile() && current.isPresent() ? Optional.empty() : Optional.of(new CatalogWal(
                    base.cluster(), base.storage(), base.timeline(), base.ranges(), base.segments(), true));
        }
        if (a.segment().length() != 24) {
            return Optional.empty(); // a backup history file: not part of the chain's coverage
        }
        var ranges = WalRanges.with(base.ranges(), a.segment());
        if (ranges == base.ranges() && current.isPresent()) {
            return Optional.empty();
        }
        return Optional.of(new CatalogWal(base.cluster(), base.storage(), base.timeline(), ranges,
                base.segments() + 1, base.historyFile()));
    }
}
