package io.stowage.cli.render;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void aRunningBackupShowsItsShareTheBytesTheRateAndTheTimeLeft() {
        assertThat(ProgressBar.line(45 * MIB, 100 * MIB, 11 * MIB))
                .isEqualTo("[#############.................]   45%  45.0 MiB of ~100.0 MiB  11.0 MiB/s  ~5 s left");
    }

    @Test
    void theBarIsAlwaysThirtyWideAndNeverFullBeforeTheEnd() {
        assertThat(ProgressBar.line(0, 100, 0)).startsWith("[" + ".".repeat(30) + "]    0%  0 B of ~100 B");
        // The total is an estimate: a backup past it is not done until backup.completed says so.
        assertThat(ProgressBar.line(150, 100, 0)).startsWith("[" + "#".repeat(29) + ".]   99%  150 B of ~100 B")
                .doesNotContain("left");
        assertThat(ProgressBar.complete(3 * MIB)).isEqualTo("[" + "#".repeat(30) + "]  100%  3.0 MiB");
    }

    @Test
    void withoutAnEstimateOrARateItShowsWhatItKnows() {
        assertThat(ProgressBar.line(2048, 0, 0)).isEqualTo("[" + ".".repeat(30) + "]  2.0 KiB");
        assertThat(ProgressBar.line(2048, 0, 1024)).isEqualTo("[" + ".".repeat(30) + "]  2.0 KiB  1.0 KiB/s");
        assertThat(ProgressBar.line(10 * MIB, 3_600 * MIB + 10 * MIB, MIB)).endsWith("  ~1h left");
    }

    @Test
    void durationsReadAsPeopleSayThem() {
        assertThat(Text.duration(Duration.ofMillis(850))).isEqualTo("850 ms");
        assertThat(Text.duration(Duration.ofMillis(3_240))).isEqualTo("3.2 s");
        assertThat(Text.duration(Duration.ofSeconds(30))).isEqualTo("30 s");
        assertThat(Text.duration(Duration.ofSeconds(245))).isEqualTo("4m 05s");
        assertThat(Text.duration(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(Text.duration(Duration.ofHours(6))).isEqualTo("6h");
        assertThat(Text.duration(Duration.ofMinutes(90))).isEqualTo("1h 30m");
        assertThat(Text.duration(Duration.ofSeconds(-1))).isEqualTo("0 ms");
    }
}
