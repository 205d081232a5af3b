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
                "  b1      local    complete    2.0 KiB  2026-11-22 03:00:00  2026-11-22 03:00:06  0/5000028..0/5000138",
                "  b1      s3       INCOMPLETE  -        -                    -                    -",
                "  b1 on s3: base.tar.zst has 60 bytes, the manifest says 2048");
    }

    @Test
    void anEmptyCatalogSaysHowToFillIt() {
        assertThat(BackupListReport.lines("pg1", List.of(), ZoneOffset.UTC).get(0))
                .contains("stowage resync --cluster pg1");
    }
}
