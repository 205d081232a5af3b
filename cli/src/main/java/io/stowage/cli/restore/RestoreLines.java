package io.stowage.cli.restore;

import io.stowage.cli.render.Text;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;

import java.time.format.DateTimeFormatter;

/** A restore in words: what was asked for, what was restored where, and how to try a failed one again. */
public final class RestoreLines {
    /** As typed, seconds included: {@code OffsetDateTime.toString} would drop {@code :00}. */
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private RestoreLines() {
    }

    /** {@code backup latest from local-fs, up to 2026-12-01T10:15:00Z, in place, then a backup}. */
    public static String what(RestoreRequested r) {
        String upTo = r.pitr() == null ? "to the backup's end"
                : r.pitr().time() != null ? "up to " + ISO.format(r.pitr().time()) : "up to LSN " + r.pitr().lsn();
        String where = r.inPlace() ? "in place" : r.target().intoVolume() ? "into a new volume, claim "
                + Text.clean(r.target().volume().claimName()) + " (" + Text.clean(r.target().volume().size()) + ")"
                : "into a new instance in " + r.target().dataDirectory() + " on port " + r.target().port();
        return "backup " + r.backupId() + " from " + r.storage() + ", " + upTo + ", " + where
                + (Boolean.TRUE.equals(r.backupAfterRestore()) ? ", then a backup" : "");
    }

    /** What was restored and where the old data is. */
    public static String completed(RestoreCompleted c) {
        return "Restored backup " + Text.clean(c.backupId()) + " from storage " + Text.clean(c.storage()) + " into "
                + Text.clean(c.dataDirectory()) + (c.previousDataDirectory() == null ? " (a new instance)."
                : "; the previous data is kept in " + Text.clean(c.previousDataDirectory()) + ".");
    }

    /** Where it stopped, why, and the restore id that runs it again (its done steps are skipped). */
    public static String failed(RestoreFailed f) {
        String id = Text.clean(f.restoreId());
        return "restore " + id + " failed " + (f.step() == null ? "in its checks" : "at step " + Text.clean(f.step()))
                + ": " + Text.clean(f.reason()) + System.lineSeparator()
                + "run the same command with --restore-id " + id + " to try again";
    }
}
