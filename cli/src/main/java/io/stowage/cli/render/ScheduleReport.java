package io.stowage.cli.render;

import io.stowage.events.spec.ScheduleSpec;
import io.stowage.events.spec.ScheduleTimes;
import io.stowage.events.spec.StorageSpec;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What {@code stowage storage list} says of a cluster's schedules and retention: each one's next due time. */
public final class ScheduleReport {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private ScheduleReport() {
    }

    public static List<String> lines(List<ScheduleSpec> schedules, Map<String, StorageSpec> storages, String main,
                                     Instant now, ZoneId zone) {
        List<String> out = new ArrayList<>();
        if (schedules.isEmpty()) {
            out.add("No schedules: backups are taken when asked (spec.schedules adds some).");
        } else {
            Table table = new Table("SCHEDULE", "CRON", "TIME ZONE", "STORAGES", "NEXT");
            for (ScheduleSpec s : schedules) {
                String next;
                if (!s.enabledOrDefault()) {
                    next = "disabled";
                } else {
                    try {
                        next = ScheduleTimes.of(s).nextAfter(now).map(t -> TIME.format(t.atZone(zone))).orElse("never");
                    } catch (IllegalArgumentException e) {
                        next = "cannot be read: " + e.getMessage();
                    }
                }
                table.row(Text.clean(s.name()), Text.clean(s.schedule()), s.timezone() == null ? "UTC"
                                : Text.clean(s.timezone()),
                        s.storages() == null || s.storages().isEmpty() ? Text.clean(String.valueOf(main)) + " (main)"
                                : Text.clean(String.join(", ", s.storages())), next);
            }
            out.add("Schedules (next due time in " + zone + ")");
            table.lines().forEach(l -> out.add("  " + l));
        }
        List<String> kept = new ArrayList<>();
        storages.forEach((name, spec) -> {
            if (spec.retention() != null) {
                List<String> limits = new ArrayList<>();
                if (spec.retention().keep() != null) {
                    limits.add("the newest " + spec.retention().keep());
                }
                if (spec.retention().maxAge() != null) {
                    limits.add("none older than " + spec.retention().maxAge());
                }
                kept.add("  " + Text.clean(name) + ": keeps " + String.join(", ", limits));
            }
        });
        if (!kept.isEmpty()) {
            out.add("Retention");
            out.addAll(kept);
        }
        return out;
    }
}
