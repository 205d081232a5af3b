package io.stowage.postgres;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What one storage can restore, from the catalog: its complete backups, the earliest point (the oldest backup's
 * consistency point) and the latest (the end of the WAL chain, on any main, that runs unbroken from the newest
 * backup's start; without WAL after it, that backup's consistency point). LSNs map to segments with 16 MiB segments,
 * PostgreSQL's default. The CLI prints it; config-service writes it into a BackupConfig's status.
 *
 * @param complete   the storage's complete backups, oldest first (by stop LSN)
 * @param incomplete how many of its backups are incomplete or expiring (never offered for restore)
 * @param walEnd     where the WAL chain from the newest backup ends, when it runs past that backup's stop LSN
 */
public record RecoveryWindow(String storage, List<CatalogBackup> complete, long incomplete, Optional<Long> walEnd) {
    static final long SEGMENT = 16L << 20;

    /**
     * @param backups the cluster's backups on every storage (those of other storages are left out)
     * @param wal     the cluster's WAL coverage on every storage (WAL archived to any main counts)
     */
    public static RecoveryWindow of(String storage, List<CatalogBackup> backups, List<CatalogWal> wal) {
        List<CatalogBackup> here = backups.stream().filter(b -> b.storage().equals(storage)).toList();
        List<CatalogBackup> complete = here.stream().filter(CatalogBackup::complete).filter(b -> b.stopLsn() != null)
                .sorted(Comparator.comparingLong(b -> WalSegments.parseLsn(b.stopLsn()))).toList();
        long incomplete = here.size() - here.stream().filter(CatalogBackup::complete).count();
        Optional<Long> walEnd = complete.isEmpty() ? Optional.empty() : chainEnd(complete.get(complete.size() - 1), wal)
                .filter(e -> e > WalSegments.parseLsn(complete.get(complete.size() - 1).stopLsn()));
        return new RecoveryWindow(storage, complete, incomplete, walEnd);
    }

    public Optional<CatalogBackup> oldest() {
        return complete.isEmpty() ? Optional.empty() : Optional.of(complete.get(0));
    }

    public Optional<CatalogBackup> newest() {
        return complete.isEmpty() ? Optional.empty() : Optional.of(complete.get(complete.size() - 1));
    }

    /** The latest LSN a restore from this storage reaches: the WAL chain's end, else the newest backup's stop. */
    public Optional<String> latestLsn() {
        return walEnd.map(WalSegments::formatLsn).or(() -> newest().map(CatalogBackup::stopLsn));
    }

    /** The last segment of the WAL chain past the newest backup, when there is one. */
    public Optional<String> lastSegment() {
        return walEnd.flatMap(e -> newest().map(n -> WalSegments.segmentName(Long.parseLong(n.timeline(), 16), e - 1,
                SEGMENT)));
    }

    /** Where the WAL chain that starts at the backup's start segment ends, across every storage's coverage. */
    public static Optional<Long> chainEnd(CatalogBackup backup, List<CatalogWal> wal) {
        if (backup.startLsn() == null || backup.timeline() == null) {
            return Optional.empty();
        }
        List<long[]> runs = new ArrayList<>();
        for (CatalogWal w : wal) {
            if (!w.timeline().equals(backup.timeline())) {
                continue;
            }
            for (CatalogWal.SegmentRange r : w.ranges()) {
                runs.add(new long[]{WalSegments.startOf(r.first(), SEGMENT),
                        WalSegments.startOf(r.last(), SEGMENT) + SEGMENT});
            }
        }
        runs.sort(Comparator.comparingLong(r -> r[0]));
        long position = WalSegments.segmentStart(WalSegments.parseLsn(backup.startLsn()), SEGMENT);
        boolean covered = false;
        for (long[] run : runs) { // by start: one pass follows the chain from run to adjacent run
            if (run[0] <= position && run[1] > position) {
                position = run[1];
                covered = true;
            }
        }
        return covered ? Optional.of(position) : Optional.empty();
    }
}
