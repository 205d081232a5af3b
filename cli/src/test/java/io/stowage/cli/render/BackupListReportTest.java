package io.stowage.cli.render;

import io.stowage.events.data.CatalogBackup;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BackupListReportTest {

    @Test
    void showsEachBackupPerStorageAndWhyOneIsIncomplete() {
        CatalogBackup complete = new CatalogBackup("pg1", "local", "b1", CatalogBackup.COMPLETE, null, "0/5000028",
                "0/5000138", "00000001", OffsetDateTime.parse("2026-11-22T03:00:00Z"),
                OffsetDateTime.parse("2026-11-22T03:00:06Z"), 1000L, 2048L, "ab".repeat(32));
        CatalogBackup broken = new CatalogBackup("pg1", "s3", "b1", CatalogBackup.INCOMPLETE,
                "base.tar.zst has 60 bytes, the manifest says 2048", null, null, null, null, null, null, null, null);

        List<String> lines = BackupListReport.lines("pg1", List.of(complete, broken), ZoneOffset.UTC);

        assertThat(lines).contains("Backups of pg1 (stowage.catalog)",
                "  b1      local    complete    2.0 KiB  2026-11-22 03:00:00  2026-11-22 03:00:06  0/5000028..0/5000138  -",
                "  b1      s3       INCOMPLETE  -        -                    -                    -                     -",
                "  b1 on s3: base.tar.zst has 60 bytes, the manifest says 2048");
    }

    @Test
    void showsWhichScheduleMadeABackupAndWhetherItWasLate() {
        CatalogBackup onTime = new CatalogBackup("pg1", "local", "nightly-20261122T0200Z", CatalogBackup.COMPLETE,
                null, "0/5000028", "0/5000138", "00000001", OffsetDateTime.parse("2026-11-22T02:00:03Z"),
                OffsetDateTime.parse("2026-11-22T02:00:06Z"), 1000L, 2048L, "ab".repeat(32), "nightly", false);
        CatalogBackup late = new CatalogBackup("pg1", "local", "nightly-20261123T0200Z", CatalogBackup.COMPLETE,
                null, "0/7000028", "0/7000138", "00000001", OffsetDateTime.parse("2026-11-23T05:10:00Z"),
                OffsetDateTime.parse("2026-11-23T05:10:06Z"), 1000L, 2048L, "cd".repeat(32), "nightly", true);

        List<String> lines = BackupListReport.lines("pg1", List.of(onTime, late), ZoneOffset.UTC);

        assertThat(lines.get(1)).endsWith("SCHEDULE");
        assertThat(lines.get(2)).startsWith("  nightly-20261122T0200Z").endsWith("  nightly");
        assertThat(lines.get(3)).startsWith("  nightly-20261123T0200Z").endsWith("  nightly (late)");
    }

    @Test
    void anEmptyCatalogSaysHowToFillIt() {
        assertThat(BackupListReport.lines("pg1", List.of(), ZoneOffset.UTC).get(0))
                .contains("stowage resync --cluster pg1");
    }
}
