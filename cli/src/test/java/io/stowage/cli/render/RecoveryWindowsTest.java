package io.stowage.cli.render;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecoveryWindowsTest {

    private static CatalogBackup backup(String storage, String id, String start, String stop, String time) {
        return new CatalogBackup("pg1", storage, id, CatalogBackup.COMPLETE, null, start, stop, "00000001", null,
                OffsetDateTime.parse(time), 10L, 5L, null);
    }

    private static CatalogWal wal(String storage, String first, String last) {
        return new CatalogWal("pg1", storage, "00000001", List.of(new CatalogWal.SegmentRange(first, last)), 1, false);
    }

    @Test
    void theChainRunsAcrossMainsFromTheNewestBackup() {
        // The backup is on the profile; WAL 3..5 was archived to an earlier main, 6..8 to the current one.
        List<CatalogBackup> backups = List.of(
                backup("profile", "old", "0/2000028", "0/2000100", "2026-11-22T01:00:00Z"),
                backup("profile", "new", "0/3000028", "0/3000100", "2026-11-22T02:00:00Z"));
        List<CatalogWal> coverage = List.of(
                wal("earlier-main", "000000010000000000000003", "000000010000000000000005"),
                wal("main", "000000010000000000000006", "000000010000000000000008"));

        List<String> lines = RecoveryWindows.lines(List.of("main", "profile"), backups, coverage, ZoneOffset.UTC);

        assertThat(lines).contains(
                "  main     0        -                                -",
                "  profile  2        2026-11-22 01:00:00 (0/2000100)  WAL to 0/9000000 (segment 000000010000000000000008)");
    }

    @Test
    void aGapEndsTheChainAndNoWalMeansTheBackupAlone() {
        CatalogBackup b = backup("s", "b", "0/3000028", "0/3000100", "2026-11-22T02:00:00Z");

        assertThat(io.stowage.postgres.RecoveryWindow.chainEnd(b, List.of(wal("m", "000000010000000000000003", "000000010000000000000004"),
                wal("m2", "000000010000000000000006", "000000010000000000000009")))).contains(0x5000000L);
        assertThat(RecoveryWindows.lines(List.of("s"), List.of(b), List.of(), ZoneOffset.UTC))
                .anyMatch(l -> l.contains("2026-11-22 02:00:00 (0/3000100), no WAL after it"));
    }
}
