package io.stowage.cli.render;

import io.stowage.events.data.CatalogBackup;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** What {@code stowage backup list} prints: one row per backup and storage, from the catalog. */
public final class BackupListReport {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private BackupListReport() {
    }

    public static List<String> lines(String cluster, List<CatalogBackup> backups, ZoneId zone) {
        List<String> out = new ArrayList<>();
        if (backups.isEmpty()) {
            out.add("No backups of " + cluster + " in the catalog (stowage.catalog). A backup is listed once it "
                    + "completes; `stowage resync --cluster " + cluster + "` lists what is on the storages.");
            return out;
        }
        Table table = new Table("BACKUP", "STORAGE", "STATUS", "STORED", "STARTED", "FINISHED", "WAL", "SCHEDULE");
        List<String> reasons = new ArrayList<>();
        for (CatalogBackup b : backups) {
            table.row(Text.clean(b.backupId()), Text.clean(b.storage()), b.complete() ? "complete" : "INCOMPLETE",
                    b.storedBytes() == null ? "-" : Text.bytes(b.storedBytes()), time(b.startTime(), zone),
                    time(b.stopTime(), zone), b.startLsn() == null ? "-" : b.startLsn() + ".." + b.stopLsn(),
                    b.schedule() == null ? "-" : Text.clean(b.schedule()) + (Boolean.TRUE.equals(b.late()) ? " (late)" : ""));
            if (!b.complete() && b.reason() != null) {
                reasons.add("  " + Text.clean(b.backupId()) + " on " + Text.clean(b.storage()) + ": "
                        + Text.clean(b.reason()));
            }
        }
        out.add("Backups of " + cluster + " (stowage.catalog)");
        table.lines().forEach(l -> out.add("  " + l));
        if (!reasons.isEmpty()) {
            out.add("");
            out.add("Incomplete backups are never offered for restore:");
            out.addAll(reasons);
        }
        return out;
    }

    private static String time(OffsetDateTime t, ZoneId zone) {
        return t == null ? "-" : TIME.format(t.atZoneSameInstant(zone));
    }
}
