package io.stowage.events.data;

import java.util.Arrays;
import java.util.Optional;

/**
 * The named steps of a restore, in the order restore-service runs them, with the names {@code restore.step.v1} (and
 * {@code restore.failed.v1}'s {@code step}) carry on the wire. The schema leaves step names open, so a newer
 * restore-service may name a step this list does not know: read names with {@link #fromWireName}.
 */
public enum RestoreStepName {
    PAUSE_ARCHIVING("pause-archiving"),
    FETCH_BASE_BACKUP("fetch-base-backup"),
    VERIFY_BACKUP("verify-backup"),
    FETCH_WAL("fetch-wal"),
    WRITE_RECOVERY_SETTINGS("write-recovery-settings"),
    STOP_PRIMARY("stop-primary"),
    START_RESTORED("start-restored"),
    WAIT_PROMOTION("wait-promotion"),
    /** Only into a new volume: the promoted copy is shut down cleanly, ready for the server that mounts it. */
    STOP_RESTORED("stop-restored"),
    SWITCH_DATA_DIRECTORY("switch-data-directory"),
    RESUME_ARCHIVING("resume-archiving"),
    BACKUP_AFTER_RESTORE("backup-after-restore"),
    /** Only after a failure before the switch: the previous primary started again on its own data. */
    RESTART_PREVIOUS_PRIMARY("restart-previous-primary");

    private final String wireName;

    RestoreStepName(String wireName) {
        this.wireName = wireName;
    }

    /** The step's name in events, logs and the CLI. */
    public String wireName() {
        return wireName;
    }

    /** The wire name, so that a step put into a message reads as it does everywhere else. */
    @Override
    public String toString() {
        return wireName;
    }

    /** The step a wire name stands for; empty for a name this version does not know. */
    public static Optional<RestoreStepName> fromWireName(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }
}
