package io.stowage.restore.steps;

import io.stowage.events.data.CatalogBackup;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.plan.WalChain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Issue 13, item 6: the restored copy's room is asked for before anything is written. */
class DiskSpaceTest {
    private static final long GIB = 1L << 30;

    private static RestorePlan plan(long backupBytes, List<WalChain.Piece> wal) {
        OffsetDateTime stop = OffsetDateTime.parse("2026-11-22T03:00:06Z");
        CatalogBackup backup = new CatalogBackup("pg1", "local", "b1", CatalogBackup.COMPLETE, null, "0/5000028",
                "0/5000028", "00000001", stop.minusMinutes(5), stop, backupBytes, backupBytes / 4, "ab12");
        return new RestorePlan("pg1", "r1", "local", backup, null, wal, null, List.of(), null,
                Path.of("/srv/pg/main"), 5432, true, true, false);
    }

    @Test
    void theCopyAsksForTheBackupUnpacked_theWalToFetch_andAMargin() {
        RestorePlan plan = plan(10 * GIB, List.of(new WalChain.Piece("local", 1, 5, 68)));

        long wal = 64 * DiskSpace.SEGMENT_BYTES;
        assertThat(DiskSpace.needed(plan)).isEqualTo(10 * GIB + wal + (10 * GIB + wal) / 10);
        assertThat(DiskSpace.needed(plan(100L << 20, List.of()))).as("at least the minimum margin")
                .isEqualTo((100L << 20) + DiskSpace.MIN_MARGIN);
    }

    @Test
    void aDiskThatCannotHoldTheCopyRefusesTheRestoreWithWhatIsNeededAndWhatIsFree() {
        RestorePlan plan = plan(10 * GIB, List.of(new WalChain.Piece("local", 1, 5, 68)));

        String shortfall = DiskSpace.shortfall(plan, Path.of("/srv/pg/main.restore-r1"), 8 * GIB);

        assertThat(shortfall).contains("not enough free space", "/srv/pg", "12.10 GiB needed", "backup 10.00 GiB",
                "64 WAL segments", "8.00 GiB free", "nothing was written");
        assertThat(DiskSpace.shortfall(plan, Path.of("/srv/pg/main.restore-r1"), 13 * GIB)).isNull();
    }

    @Test
    void freeSpaceIsAskedOfTheNearestFolderThatExists(@TempDir Path dir) throws IOException {
        // Other processes write meanwhile: the same file system's figure, within what they may write in between.
        assertThat(DiskSpace.usable(dir.resolve("not/yet/made"))).isPositive()
                .isCloseTo(java.nio.file.Files.getFileStore(dir).getUsableSpace(), within(256L << 20));
    }
}
