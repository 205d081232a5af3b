package io.stowage.cli.render;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;
import io.stowage.postgres.WalSegments;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What each storage can restore, from the catalog: its complete backups, the earliest point (the oldest backup's
 * consistency point) and the latest (the end of the WAL chain, on any main, that runs unbroken from the newest
 * backup's start; without WAL, that backup's consistency point). LSNs map to segments with 16 MiB segments,
 * PostgreSQL's default.
 */
public final class RecoveryWindows {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final long SEGMENT = 16L << 20;

    private RecoveryWindows() {
    }

    public static List<String> lines(List<String> storages, List<CatalogBackup> backups, List<CatalogWal> wal,
                                     ZoneId zone) {
        Table table = new Table("STORAGE", "BACKUPS", "EARLIEST", "LATEST");
        for (String storage : storages) {
            List<CatalogBackup> here = backups.stream().filter(b -> b.storage().equals(storage)).toList();
            List<CatalogBackup> complete = here.stream().filter(CatalogBackup::complete)
                    .filter(b -> b.stopLsn() != null).sorted(Comparator.comparingLong(b -> WalSegments.parseLsn(b.stopLsn()))).toList();
            long incomplete = here.size() - here.stream().filter(CatalogBackup::complete).count();
            String count = complete.size() + (incomplete > 0 ? " (+" + incomplete + " incomplete)" : "");
            if (complete.isEmpty()) {
                table.row(Text.clean(storage), count, "-", "-");
                continue;
            }
            CatalogBackup oldest = complete.get(0);
            CatalogBackup newest = complete.get(complete.size() - 1);
            table.row(Text.clean(storage), count, point(oldest, zone), latest(newest, wal, zone));
        }
        List<String> out = new ArrayList<>();
        out.add("Recoverable from each storage (stowage.catalog)");
        table.lines().forEach(l -> out.add("  " + l));
        return out;
    }

    private static String point(CatalogBackup b, ZoneId zone) {
        return (b.stopTime() == null ? "" : TIME.format(b.stopTime().atZoneSameInstant(zone)) + " ")
                + "(" + b.stopLsn() + ")";
    }

    private static String latest(CatalogBackup newest, List<CatalogWal> wal, ZoneId zone) {
        Optional<Long> end = chainEnd(newest, wal);
        return end.filter(e -> e > WalSegments.parseLsn(newest.stopLsn()))
                .map(e -> "WAL to " + WalSegments.formatLsn(e) + " (segment "
                        + WalSegments.segmentName(Long.parseLong(newest.timeline(), 16), e - 1, SEGMENT) + ")")
                .orElse(point(newest, zone) + ", no WAL after it");
    }

    /** Where the WAL chain that starts at the backup's start segment ends, across every storage's coverage. */
    static Optional<Long> chainEnd(CatalogBackup backup, List<CatalogWal> wal) {
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
