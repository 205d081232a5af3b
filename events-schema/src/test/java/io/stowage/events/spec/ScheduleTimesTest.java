package io.stowage.events.spec;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleTimesTest {

    @Test
    void anExpressionIsReadInItsTimeZone() {
        ScheduleTimes nightly = ScheduleTimes.of("0 2 * * *", "Europe/Paris");

        // 02:00 in Paris is 01:00 UTC in winter and 00:00 UTC in summer.
        assertThat(nightly.nextAfter(Instant.parse("2026-12-03T00:30:00Z"))).contains(Instant.parse("2026-12-03T01:00:00Z"));
        assertThat(nightly.nextAfter(Instant.parse("2026-07-03T00:30:00Z"))).contains(Instant.parse("2026-07-04T00:00:00Z"));
        assertThat(ScheduleTimes.of("0 2 * * *", null).nextAfter(Instant.parse("2026-12-03T00:30:00Z")))
                .contains(Instant.parse("2026-12-03T02:00:00Z"));
    }

    @Test
    void theLastDueTimeIncludesTheMomentItself() {
        ScheduleTimes quarterly = ScheduleTimes.of("*/15 * * * *", "UTC");

        assertThat(quarterly.lastAtOrBefore(Instant.parse("2026-12-03T10:15:00Z"))).contains(Instant.parse("2026-12-03T10:15:00Z"));
        assertThat(quarterly.lastAtOrBefore(Instant.parse("2026-12-03T10:15:42Z"))).contains(Instant.parse("2026-12-03T10:15:00Z"));
        assertThat(quarterly.lastAtOrBefore(Instant.parse("2026-12-03T10:14:59Z"))).contains(Instant.parse("2026-12-03T10:00:00Z"));
        assertThat(quarterly.nextAfter(Instant.parse("2026-12-03T10:15:00Z"))).contains(Instant.parse("2026-12-03T10:30:00Z"));
    }

    @Test
    void aDueTimeNamesItsBackupInUtcToTheMinute() {
        assertThat(ScheduleTimes.backupId("nightly", Instant.parse("2026-12-03T01:00:00Z"))).isEqualTo("nightly-20261203T0100Z");
    }

    @Test
    void whatCannotBeReadIsRefusedWithTheReason() {
        assertThatThrownBy(() -> ScheduleTimes.of("0 0 2 * * *", null)).hasMessageContaining("has 6 fields")
                .hasMessageContaining("5");
        assertThatThrownBy(() -> ScheduleTimes.of("61 * * * *", null)).hasMessageContaining("is not a cron expression");
        assertThatThrownBy(() -> ScheduleTimes.of("nightly", null)).hasMessageContaining("has 1 fields");
        assertThatThrownBy(() -> ScheduleTimes.of("0 2 * * *", "Mars/Olympus")).hasMessageContaining("not a time zone");
        assertThatThrownBy(() -> ScheduleTimes.of("0 0 30 2 *", null)).hasMessageContaining("never comes");
    }

    @Test
    void anAgeIsANumberAndAUnit() {
        assertThat(RetentionAge.parse("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(RetentionAge.parse("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(RetentionAge.parse("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(RetentionAge.parse("2w")).isEqualTo(Duration.ofDays(14));
        for (String bad : new String[]{"30", "0d", "-1d", "1y", "P30D", "", "30 d"}) {
            assertThatThrownBy(() -> RetentionAge.parse(bad)).as(bad).hasMessageContaining("is not an age");
        }
    }
}
