package io.stowage.resync.retention;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.spec.RetentionSpec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionPlanTest {
    static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    /** Backup i (1 the oldest) completed i hours after midnight, starting in segment 0x10 * i of timeline 1. */
    static CatalogBackup backup(String storage, int i) {
        return backup(storage, "b" + i, "00000001", String.format("0/%X", (0x10L * i) << 24),
                OffsetDateTime.ofInstant(Instant.parse("2026-12-03T00:00:00Z").plusSeconds(3600L * i), ZoneOffset.UTC));
    }

    static CatalogBackup backup(String storage, String id, String timeline, String startLsn, OffsetDateTime stop) {
        return new CatalogBackup("pg1", storage, id, CatalogBackup.COMPLETE, null, startLsn, startLsn, timeline,
                stop.minusMinutes(1), stop, 100L, 10L, "ab".repeat(32));
    }

    static List<CatalogBackup> eight(String... storages) {
        List<CatalogBackup> all = new ArrayList<>();
        for (String s : storages) {
            for (int i = 1; i <= 8; i++) {
                all.add(backup(s, i));
            }
        }
        return all;
    }

    static CatalogWal wal(String storage, String timeline, String first, String last) {
        return new CatalogWal("pg1", storage, timeline, List.of(new CatalogWal.SegmentRange(first, last)), 1, true);
    }

    @Test
    void eachStorageKeepsItsNewest_andTheWalStartsAtTheOldestBackupKeptAnywhere() {
        RetentionPlan.Decision d = RetentionPlan.decide(
                Map.of("main", new RetentionSpec(5, null), "profile", new RetentionSpec(3, null)),
                eight("main", "profile"),
                List.of(wal("main", "00000001", "000000010000000000000010", "000000010000000000000090")),
                Set.of(), NOW);

        assertThat(d.backups()).extracting(r -> r.storage() + " " + r.backupId()).containsExactlyInAnyOrder(
                "main b1", "main b2", "main b3",
                "profile b1", "profile b2", "profile b3", "profile b4", "profile b5");
        assertThat(d.backups().get(0).reason()).contains("retention keep 5");
        assertThat(d.oldestKept()).map(CatalogBackup::backupId).contains("b4");
        // b4 starts at 0/40000000: segment 0x40 is the first one needed.
        assertThat(d.wal()).containsExactly(new RetentionPlan.WalRemoval("main", "00000001",
                "000000010000000000000010", "00000001000000000000003F", d.wal().get(0).reason()));
        assertThat(d.wal().get(0).reason()).contains("backup b4 on main");
    }

    @Test
    void maxAgeRemovesOlderBackupsButNeverTheNewest() {
        RetentionPlan.Decision d = RetentionPlan.decide(Map.of("main", new RetentionSpec(null, "6h")),
                eight("main"), List.of(), Set.of(), NOW);
        // Completed at 01:00 .. 08:00; at 12:00, those before 06:00 are older than 6 h.
        assertThat(d.backups()).extracting(RetentionPlan.BackupRemoval::backupId)
                .containsExactlyInAnyOrder("b1", "b2", "b3", "b4", "b5");

        RetentionPlan.Decision allOld = RetentionPlan.decide(Map.of("main", new RetentionSpec(null, "1h")),
                eight("main"), List.of(), Set.of(), NOW);
        assertThat(allOld.backups()).extracting(RetentionPlan.BackupRemoval::backupId).doesNotContain("b8").hasSize(7);
    }

    @Test
    void aBackupARestoreUsesStays_andHoldsItsWal() {
        RetentionPlan.Decision d = RetentionPlan.decide(Map.of("main", new RetentionSpec(2, null)), eight("main"),
                List.of(wal("main", "00000001", "000000010000000000000010", "000000010000000000000090")),
                Set.of("main b2"), NOW);

        assertThat(d.backups()).extracting(RetentionPlan.BackupRemoval::backupId)
                .containsExactlyInAnyOrder("b1", "b3", "b4", "b5", "b6");
        assertThat(d.oldestKept()).map(CatalogBackup::backupId).contains("b2");
        assertThat(d.wal()).singleElement().extracting(RetentionPlan.WalRemoval::last)
                .isEqualTo("00000001000000000000001F");
    }

    @Test
    void aStorageWithoutRetentionKeepsEverything_andItsBackupsHoldTheWalOfTheMain() {
        RetentionPlan.Decision d = RetentionPlan.decide(Map.of("main", new RetentionSpec(1, null)),
                eight("main", "archive"),
                List.of(wal("main", "00000001", "000000010000000000000010", "000000010000000000000090")),
                Set.of(), NOW);

        assertThat(d.backups()).allMatch(r -> r.storage().equals("main")).hasSize(7);
        assertThat(d.oldestKept()).map(b -> b.storage() + " " + b.backupId()).contains("archive b1");
        assertThat(d.wal()).isEmpty();
    }

    @Test
    void earlierTimelinesGoWhole_laterOnesStay_andOnlyCompleteBackupsCount() {
        OffsetDateTime t = OffsetDateTime.parse("2026-12-03T10:00:00Z");
        List<CatalogBackup> backups = List.of(
                backup("main", "old", "00000001", "0/20000000", t.minusHours(5)),
                backup("main", "on-2", "00000002", "0/60000028", t.minusHours(2)),
                backup("main", "on-3", "00000003", "0/90000028", t),
                new CatalogBackup("pg1", "main", "broken", CatalogBackup.INCOMPLETE, "no manifest", null, null, null,
                        null, null, null, null, null));
        List<CatalogWal> wal = List.of(
                wal("main", "00000001", "000000010000000000000020", "000000010000000000000055"),
                wal("main", "00000002", "000000020000000000000055", "000000020000000000000080"),
                wal("main", "00000003", "000000030000000000000080", "0000000300000000000000A0"),
                wal("old-main", "00000001", "000000010000000000000001", "00000001000000000000001F"));

        RetentionPlan.Decision d = RetentionPlan.decide(Map.of("main", new RetentionSpec(2, null)), backups, wal,
                Set.of(), NOW);

        assertThat(d.backups()).extracting(RetentionPlan.BackupRemoval::backupId).containsExactly("old");
        assertThat(d.wal()).extracting(w -> w.storage() + " " + w.first() + ".." + w.last()).containsExactlyInAnyOrder(
                "main 000000010000000000000020..000000010000000000000055",
                "old-main 000000010000000000000001..00000001000000000000001F",
                "main 000000020000000000000055..00000002000000000000005F");
    }

    @Test
    void withoutAnyCompleteBackupNothingIsRemoved() {
        RetentionPlan.Decision d = RetentionPlan.decide(Map.of("main", new RetentionSpec(1, null)), List.of(),
                List.of(wal("main", "00000001", "000000010000000000000010", "000000010000000000000090")), Set.of(),
                NOW);
        assertThat(d.nothing()).isTrue();
    }

    @Test
    void segmentNamesAndLsnsConvert() {
        assertThat(RetentionPlan.number("0000000100000001000000FF")).isEqualTo(256 + 255);
        assertThat(RetentionPlan.name(1, 256 + 255)).isEqualTo("0000000100000001000000FF");
        assertThat(RetentionPlan.lsn("16/B374D848")).isEqualTo(0x16B374D848L);
    }
}
