package io.stowage.cli.render;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;
import io.stowage.postgres.RecoveryWindow;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Prints what each storage can restore ({@link RecoveryWindow}): its backups, the earliest and the latest point. */
public final class RecoveryWindows {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private RecoveryWindows() {
    }

    public static List<String> lines(List<String> storages, List<CatalogBackup> backups, List<CatalogWal> wal,
                                     ZoneId zone) {
        Table table = new Table("STORAGE", "BACKUPS", "EARLIEST", "LATEST");
        for (String storage : storages) {
            RecoveryWindow window = RecoveryWindow.of(storage, backups, wal);
            String count = window.complete().size() + (window.incomplete() > 0 ? " (+" + window.incomplete()
                    + " incomplete)" : "");
            if (window.complete().isEmpty()) {
                table.row(Text.clean(storage), count, "-", "-");
                continue;
            }
            CatalogBackup newest = window.newest().orElseThrow();
            String latest = window.walEnd().isPresent()
                    ? "WAL to " + window.latestLsn().orElseThrow() + " (segment " + window.lastSegment().orElseThrow()
                    + ")"
                    : point(newest, zone) + ", no WAL after it";
            table.row(Text.clean(storage), count, point(window.oldest().orElseThrow(), zone), latest);
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
}
