package io.stowage.restore.steps;

import io.stowage.restore.plan.RestorePlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The recovery settings of a restored folder: a marked block at the end of postgresql.auto.conf (read after
 * postgresql.conf, so it wins) and standby.signal. Standby mode replays from pg_wal alone, with no restore_command,
 * so no program runs per segment; reaching the target (or consistency, without one) promotes the server. The
 * timeline stays the backup's, whatever later timelines' history files are in pg_wal.
 */
final class RecoverySettings {
    private static final String AUTO_CONF = "postgresql.auto.conf";
    private static final DateTimeFormatter POSTGRES_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS'+00'");

    private RecoverySettings() {
    }

    static void write(RestorePlan plan, Path dir) throws IOException {
        StringBuilder block = new StringBuilder(begin(plan)).append('\n');
        block.append("restore_command = ''\n");
        block.append("primary_conninfo = ''\n");
        block.append("recovery_target_timeline = 'current'\n");
        if (plan.pitr() == null) {
            block.append("recovery_target = 'immediate'\n");
        } else if (plan.pitr().time() != null) {
            block.append("recovery_target_time = '").append(postgresTime(plan.pitr().time())).append("'\n");
        } else {
            block.append("recovery_target_lsn = '").append(plan.pitr().lsn()).append("'\n");
        }
        block.append("recovery_target_action = 'promote'\n");
        block.append(end(plan)).append('\n');
        Path conf = dir.resolve(AUTO_CONF);
        String kept = Files.exists(conf) ? without(Files.readString(conf), plan) : "";
        Files.writeString(conf, kept + block);
        Files.deleteIfExists(dir.resolve("recovery.signal"));
        Files.writeString(dir.resolve("standby.signal"), "");
    }

    /** The target as PostgreSQL's recovery_target_time reads it: in UTC, a space between date and time. */
    static String postgresTime(OffsetDateTime time) {
        return time.withOffsetSameInstant(ZoneOffset.UTC).format(POSTGRES_TIME);
    }

    /** Takes the block out again once the server is promoted (the settings are inert then, and would confuse). */
    static void remove(RestorePlan plan, Path dir) throws IOException {
        Path conf = dir.resolve(AUTO_CONF);
        if (Files.exists(conf)) {
            Files.writeString(conf, without(Files.readString(conf), plan));
        }
    }

    private static String without(String text, RestorePlan plan) {
        int from = text.indexOf(begin(plan));
        if (from < 0) {
            return text;
        }
        int to = text.indexOf(end(plan), from);
        if (to < 0) {
            return text.substring(0, from);
        }
        int after = text.indexOf('\n', to);
        return text.substring(0, from) + (after < 0 ? "" : text.substring(after + 1));
    }

    private static String begin(RestorePlan plan) {
        return "# stowage restore " + plan.restoreId() + ": recovery settings (removed once promoted)";
    }

    private static String end(RestorePlan plan) {
        return "# stowage restore " + plan.restoreId() + ": end";
    }
}
