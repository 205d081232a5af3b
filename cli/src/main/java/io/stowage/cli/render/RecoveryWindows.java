package io.stowage.cli.render;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

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
                    .filter(b -> b.stopLsn() != null).sorted(Comparator.comparingLong(b -> lsn(b.stopLsn()))).toList();
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
        return end.filter(e -> e > lsn(newest.stopLsn()))
                .map(e -> "WAL to " + formatLsn(e) + " (segment " + segmentName(newest.timeline(), e - 1) + ")")
                .orElse(point(newest, zone) + ", no WAL after it");
    }

    /** Where the WAL chain that starts at the backup's start segment ends, across every storage's coverage. */
    static Optional<Long> chainEnd(CatalogBackup backup, List<CatalogWal> wal) {
        if (backup.startLsn() == null || backup.timeline() == null) {
            return Optional.empty();
        }
        TreeSet<Long> starts = new TreeSet<>();
        List<long[]> runs = new ArrayList<>();
        for (CatalogWal w : wal) {
            if (!w.timeline().equals(backup.timeline())) {
                continue;
            }
            for (CatalogWal.SegmentRange r : w.ranges()) {
                runs.add(new long[]{segmentStart(r.first()), segmentStart(r.last()) + SEGMENT});
                starts.add(segmentStart(r.first()));
            }
        }
        runs.sort(Comparator.comparingLong(r -> r[0]));
        long position = lsn(backup.startLsn()) - Math.floorMod(lsn(backup.startLsn()), SEGMENT);
        boolean moved = true;
        boolean covered = false;
        while (moved) {
            moved = false;
            for (long[] run : runs) {
                if (run[0] <= position && run[1] > position) {
                    position = run[1];
                    moved = true;
                    covered = true;
                }
            }
        }
        return covered ? Optional.of(position) : Optional.empty();
    }

    static long lsn(String lsn) {
        int slash = lsn.indexOf('/');
        return (Long.parseLong(lsn.substring(0, slash), 16) << 32) | Long.parseLong(lsn.substring(slash + 1), 16);
    }

    static String formatLsn(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFF_FFFFL).toUpperCase();
    }

    static long segmentStart(String segmentName) {
        long log = Long.parseLong(segmentName.substring(8, 16), 16);
        long seg = Long.parseLong(segmentName.substring(16, 24), 16);
        return (log * (0x1_0000_0000L / SEGMENT) + seg) * SEGMENT;
    }

    static String segmentName(String timeline, long lsn) {
        long n = lsn / SEGMENT;
        long perLogId = 0x1_0000_0000L / SEGMENT;
        return String.format("%s%08X%08X", timeline, n / perLogId, n % perLogId);
    }
}
