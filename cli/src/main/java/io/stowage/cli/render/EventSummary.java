package io.stowage.cli.render;

import io.stowage.events.data.BackupRemoved;
import io.stowage.events.data.RetentionCompleted;
import io.stowage.events.data.RetentionFailed;
import io.stowage.events.data.RetentionRequested;
import io.stowage.events.data.WalRemoved;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupSkipped;
import io.stowage.events.data.BackupProgress;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.BackupStarted;
import io.stowage.events.data.ConfigRejected;
import io.stowage.events.data.EventRejected;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreProgress;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.ResyncCompleted;
import io.stowage.events.data.ResyncFailed;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.data.WalArchived;
import io.stowage.events.data.WalLag;

import java.util.List;

/** The part of an event's data that matters to a person, in one short phrase per type. */
public final class EventSummary {
    private EventSummary() {
    }

    public static String of(StowageEvent data) {
        if (data instanceof StorageChanged e) {
            return e.change() == StorageChange.MAIN_CHANGED
                    ? "MAIN_CHANGED " + e.storage() + " (was " + e.previousMain() + ")"
                    : e.change() + " " + e.storage();
        }
        if (data instanceof ConfigRejected e) {
            return "refused " + e.source() + (e.document() == null ? "" : " document " + e.document())
                    + (e.field() == null ? "" : " at " + e.field()) + ": " + e.reason();
        }
        if (data instanceof TopologyApplied e) {
            return "revision " + e.revision() + " main=" + orNone(e.main()) + " profiles=" + names(e.profiles());
        }
        if (data instanceof BackupRequested e) {
            return "backup " + orElse(e.backupId(), "(id from ce_id)") + " to "
                    + (e.storages() == null || e.storages().isEmpty() ? "the main" : names(e.storages()))
                    + (e.schedule() == null ? "" : " (schedule " + e.schedule() + ", due " + e.dueAt() + ")");
        }
        if (data instanceof BackupStarted e) {
            return "backup " + e.backupId() + " started on " + names(e.storages());
        }
        if (data instanceof BackupProgress e) {
            return "backup " + e.backupId() + " " + Text.bytes(e.bytesDone())
                    + (e.bytesTotalEstimate() == null ? "" : " of " + Text.bytes(e.bytesTotalEstimate()))
                    + (e.bytesPerSecond() == null ? "" : ", " + Text.bytes(e.bytesPerSecond()) + "/s");
        }
        if (data instanceof BackupCompleted e) {
            return "backup " + e.backupId() + " completed on " + names(e.storages()) + ": lsn " + e.startLsn() + ".."
                    + e.stopLsn() + " timeline " + e.timeline() + ", " + Text.bytes(e.storedBytes()) + " stored"
                    + (e.schedule() == null ? "" : ", schedule " + e.schedule()
                    + (Boolean.TRUE.equals(e.late()) ? " (late)" : ""));
        }
        if (data instanceof BackupSkipped e) {
            return "schedule " + e.schedule() + " skipped " + e.backupId() + ": " + e.reason();
        }
        if (data instanceof BackupRemoved e) {
            return "backup " + e.backupId() + " removed from " + e.storage() + " (" + e.trigger() + "): " + e.reason();
        }
        if (data instanceof WalRemoved e) {
            return "wal " + e.first() + ".." + e.last() + " (" + e.segments() + " segments) removed from " + e.storage()
                    + " (" + e.trigger() + "): " + e.reason();
        }
        if (data instanceof BackupFailed e) {
            return "backup " + e.backupId() + " failed: " + e.reason();
        }
        if (data instanceof WalArchived e) {
            return "wal " + e.segment() + " (timeline " + e.timeline() + ") on " + e.storage();
        }
        if (data instanceof WalLag e) {
            return WalStatusLines.lag(e);
        }
        if (data instanceof RestoreRequested e) {
            String from = e.storage() != null ? "storage=" + e.storage()
                    : e.backupSource() != null ? "source=" + e.backupSource().location(e.cluster()).describe() : "storage=?";
            String pitr = e.pitr() == null ? "" : e.pitr().time() != null ? " pitr time=" + e.pitr().time()
                    : " pitr lsn=" + e.pitr().lsn();
            return "restore " + orElse(e.restoreId(), "(id from ce_id)") + " backup=" + e.backupId() + " " + from + pitr
                    + (Boolean.TRUE.equals(e.backupAfterRestore()) ? ", backup after" : "");
        }
        if (data instanceof RestoreStarted e) {
            return "restore " + e.restoreId() + " started: backup " + e.backupId() + " from " + e.storage();
        }
        if (data instanceof RestoreStep e) {
            return "restore " + e.restoreId() + " step " + e.step() + " " + e.status()
                    + (e.detail() == null ? "" : ": " + e.detail());
        }
        if (data instanceof RestoreProgress e) {
            return "restore " + e.restoreId() + " running " + e.step() + (e.detail() == null ? "" : ": " + e.detail());
        }
        if (data instanceof RestoreCompleted e) {
            return "restore " + e.restoreId() + " completed: backup " + e.backupId() + " from " + e.storage() + " into "
                    + e.dataDirectory() + (e.previousDataDirectory() == null ? "" : " (old kept at "
                    + e.previousDataDirectory() + ")");
        }
        if (data instanceof RestoreFailed e) {
            return "restore " + e.restoreId() + " failed" + (e.step() == null ? "" : " at " + e.step()) + ": " + e.reason();
        }
        if (data instanceof ResyncRequested e) {
            return "resync " + (e.storage() != null ? "storage=" + e.storage()
                    : "scope=" + (e.scope() == null ? "?" : e.scope().name().toLowerCase()));
        }
        if (data instanceof ResyncCompleted e) {
            return "resync storage=" + e.storage() + " done: found " + e.found() + ", added " + e.added() + ", removed "
                    + e.removed() + ", incomplete " + e.incomplete() + " (" + e.durationMs() + " ms)";
        }
        if (data instanceof RetentionRequested e) {
            return "retention requested" + (e.reason() == null ? "" : ": " + e.reason());
        }
        if (data instanceof RetentionCompleted e) {
            return "retention applied: " + e.backupsRemoved() + " backups and " + e.segmentsRemoved()
                    + " WAL segments removed" + (e.heldForRestores() == 0 ? "" : ", " + e.heldForRestores()
                    + " held for running restores") + " (" + e.durationMs() + " ms)";
        }
        if (data instanceof RetentionFailed e) {
            return "retention failed: " + e.reason();
        }
        if (data instanceof ResyncFailed e) {
            return "resync storage=" + e.storage() + " failed: " + e.reason();
        }
        if (data instanceof EventRejected e) {
            return "rejected " + e.topic() + "-" + e.partition() + "@" + e.offset()
                    + (e.type() == null ? "" : " (" + Text.shortType(e.type()) + ")") + " by " + e.consumer() + ": "
                    + e.reason();
        }
        // A type added to the contract before this phrase book learnt it: still one line, with its name.
        return data.getClass().getSimpleName();
    }

    private static String names(List<String> names) {
        return names == null || names.isEmpty() ? "none" : String.join(",", names);
    }

    private static String orNone(String s) {
        return orElse(s, "none");
    }

    private static String orElse(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s;
    }
}
