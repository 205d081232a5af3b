package io.stowage.resync.catalog;

import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.data.WalArchived;

import java.util.List;
import java.util.Optional;

/** How events that report new facts change catalog entries, without a resync. */
public final class CatalogUpdates {
    private CatalogUpdates() {
    }

    /** A completed backup is listed at once on every storage it was written to. */
    public static List<CatalogBackup> completed(BackupCompleted c) {
        return c.storages().stream().map(storage -> new CatalogBackup(c.cluster(), storage, c.backupId(),
                CatalogBackup.COMPLETE, null, c.startLsn(), c.stopLsn(), c.timeline(), c.startTime(), c.stopTime(),
                c.sizeBytes(), c.storedBytes(), null)).toList();
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
