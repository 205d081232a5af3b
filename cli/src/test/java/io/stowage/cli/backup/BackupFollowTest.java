package io.stowage.cli.backup;

import io.stowage.bus.BusReader;
import io.stowage.cli.Records;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupProgress;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.BackupStarted;
import io.stowage.events.data.StowageEvent;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BackupFollowTest {
    private static final String REQUEST = "req-1";
    private static final long MIB = 1024 * 1024;
    private static final List<String> BOTH = List.of("local-fs", "local-s3");
    private static final OffsetDateTime START = OffsetDateTime.parse("2026-11-22T09:30:01Z");

    private final StringWriter printed = new StringWriter();

    private static BusReader.Read event(String id, String correlation, StowageEvent data) {
        return Records.read(Records.envelope(id, correlation, data));
    }

    private static BackupProgress progress(long done) {
        return new BackupProgress("demo", "b1", done, 100 * MIB, 10 * MIB);
    }

    private static BackupCompleted completed(String backupId) {
        return new BackupCompleted("demo", backupId, BOTH, "0/2000028", "0/2000138", "00000001", START,
                START.plusNanos(3_200_000_000L), 100 * MIB, 40 * MIB);
    }

    @Test
    void onAPipeEachEventIsOneLineAndTheCompletedOneEndsIt() {
        BackupFollow follow = new BackupFollow(REQUEST, new PrintWriter(printed), false);

        assertThat(follow.accept(event(REQUEST, REQUEST, new BackupRequested("demo", BOTH, "b1")))).isEmpty();
        assertThat(follow.answered()).as("its own request is no answer").isFalse();
        assertThat(follow.accept(event("2", REQUEST, new BackupStarted("demo", "b1", BOTH)))).isEmpty();
        assertThat(follow.answered()).isTrue();
        follow.accept(event("3", REQUEST, progress(30 * MIB)));
        follow.accept(event("4", REQUEST, progress(60 * MIB)));
        var outcome = follow.accept(event("5", REQUEST, completed("b1")));

        assertThat(outcome).hasValueSatisfying(o -> {
            assertThat(o.succeeded()).isTrue();
            assertThat(o.completed().backupId()).isEqualTo("b1");
        });
        assertThat(printed.toString().lines().toList()).containsExactly(
                "Started: backup b1, one read of demo, written to local-fs, local-s3.",
                "[#########.....................]   30%  30.0 MiB of ~100.0 MiB  10.0 MiB/s  ~7 s left",
                "[##################............]   60%  60.0 MiB of ~100.0 MiB  10.0 MiB/s  ~4 s left",
                "[##############################]  100%  100.0 MiB",
                "Completed: backup b1 on local-fs, local-s3: 100.0 MiB read, 40.0 MiB stored (zstd), "
                        + "WAL 0/2000028 to 0/2000138 on timeline 00000001, in 3.2 s.");
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndEndsFull() {
        BackupFollow follow = new BackupFollow(REQUEST, new PrintWriter(printed), true);

        follow.accept(event("2", REQUEST, new BackupStarted("demo", "b1", BOTH)));
        follow.accept(event("3", REQUEST, new BackupProgress("demo", "b1", 30 * MIB, 100 * MIB, 10 * MIB)));
        follow.accept(event("4", REQUEST, new BackupProgress("demo", "b1", 60 * MIB, 100 * MIB, null)));
        follow.accept(event("5", REQUEST, completed("b1")));

        String[] lines = printed.toString().split("\n");
        assertThat(lines).hasSize(3);
        String[] draws = lines[1].split("\r", -1);
        assertThat(draws).hasSize(4);
        assertThat(draws[0]).isEmpty();
        assertThat(draws[1]).endsWith("~7 s left");
        // Shorter than the first draw: spaces wipe out what it left behind.
        assertThat(draws[2]).hasSameSizeAs(draws[1]).endsWith("   ");
        assertThat(draws[2].stripTrailing()).isEqualTo("[##################............]   60%  60.0 MiB of ~100.0 MiB");
        assertThat(draws[3].stripTrailing()).isEqualTo("[" + "#".repeat(30) + "]  100%  100.0 MiB");
        assertThat(lines[2]).startsWith("Completed: backup b1 on local-fs, local-s3:");
    }

    @Test
    void aBackupQuickerThanOneProgressEventStillEndsWithAFullBar() {
        BackupFollow follow = new BackupFollow(REQUEST, new PrintWriter(printed), true);

        follow.accept(event("2", REQUEST, new BackupStarted("demo", "b1", BOTH)));
        follow.accept(event("5", REQUEST, completed("b1")));

        assertThat(printed.toString().split("\n")).extracting(String::strip).containsExactly(
                "Started: backup b1, one read of demo, written to local-fs, local-s3.",
                "[##############################]  100%  100.0 MiB",
                "Completed: backup b1 on local-fs, local-s3: 100.0 MiB read, 40.0 MiB stored (zstd), "
                        + "WAL 0/2000028 to 0/2000138 on timeline 00000001, in 3.2 s.");
    }

    @Test
    void aFailureIsTheOutcomeAndEndsTheBar() {
        BackupFollow follow = new BackupFollow(REQUEST, new PrintWriter(printed), true);

        follow.accept(event("3", REQUEST, progress(30 * MIB)));
        var outcome = follow.accept(event("4", REQUEST,
                new BackupFailed("demo", "b1", BOTH, "pg_basebackup: could not connect")));

        assertThat(outcome).hasValueSatisfying(o -> {
            assertThat(o.succeeded()).isFalse();
            assertThat(o.failed().reason()).isEqualTo("pg_basebackup: could not connect");
        });
        assertThat(printed.toString()).endsWith("\n");
    }

    @Test
    void eventsOfOtherRequestsAndInvalidRecordsArePassedOver() {
        BackupFollow follow = new BackupFollow(REQUEST, new PrintWriter(printed), false);

        assertThat(follow.accept(event("other", "other", completed("b0")))).isEmpty();
        assertThat(follow.accept(event("x", "other", new BackupFailed("demo", "b0", BOTH, "no")))).isEmpty();
        assertThat(follow.accept(Records.raw("stowage.backup", 0, 7, "demo",
                Map.of("ce_specversion", "1.0", "ce_id", "bad"), "{}"))).isEmpty();

        assertThat(follow.answered()).isFalse();
        assertThat(printed.toString()).isEmpty();
    }

    @Test
    void textFromTheBusCannotMoveTheCursor() {
        BackupFollow follow = new BackupFollow(REQUEST, new PrintWriter(printed), false);

        follow.accept(event("2", REQUEST, new BackupStarted("demo", "b1", List.of("evil\u001b[2J"))));

        assertThat(printed.toString()).contains("evil?[2J").doesNotContain("\u001b");
    }
}
