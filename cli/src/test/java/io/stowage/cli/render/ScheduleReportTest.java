package io.stowage.cli.render;

import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.RetentionSpec;
import io.stowage.events.spec.ScheduleSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class ScheduleReportTest {

    @Test
    void eachScheduleWithItsNextDueTime_andEachStoragesRetention() {
        Map<String, StorageSpec> storages = new TreeMap<>(Map.of(
                "local", new StorageSpec(false, StorageType.FILESYSTEM, null, new FilesystemSpec("/b", null),
                        new RetentionSpec(3, null)),
                "main", new StorageSpec(true, StorageType.FILESYSTEM, null, new FilesystemSpec("/a", null),
                        new RetentionSpec(14, "30d"))));
        List<ScheduleSpec> schedules = List.of(
                new ScheduleSpec("nightly", "0 2 * * *", "Europe/Paris", List.of("main", "local"), null),
                new ScheduleSpec("hourly", "0 * * * *", null, null, false));

        List<String> lines = ScheduleReport.lines(schedules, storages, "main",
                Instant.parse("2026-12-03T10:15:00Z"), ZoneOffset.UTC);

        assertThat(lines).containsExactly(
                "Schedules (next due time in Z)",
                "  SCHEDULE  CRON       TIME ZONE     STORAGES     NEXT",
                "  nightly   0 2 * * *  Europe/Paris  main, local  2026-12-04 01:00",
                "  hourly    0 * * * *  UTC           main (main)  disabled",
                "Retention",
                "  local: keeps the newest 3",
                "  main: keeps the newest 14, none older than 30d");
    }

    @Test
    void noScheduleSaysBackupsAreTakenWhenAsked() {
        assertThat(ScheduleReport.lines(List.of(), Map.of(), "main", Instant.now(), ZoneId.of("UTC")))
                .containsExactly("No schedules: backups are taken when asked (spec.schedules adds some).");
    }
}
