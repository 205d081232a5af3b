package io.stowage.restore.steps;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.StorageLayout;
import io.stowage.storage.Storages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, item 3: the catalog may not know yet a timeline a restore promoted to a moment ago. The fetch looks on
 * every storage for later timelines' history files, so the restored server promotes above all of them.
 */
class WalFetchTest {
    @TempDir
    Path root;
    private final Map<String, BackupStorage> storages = new LinkedHashMap<>();

    private BackupStorage storage(String name) {
        BackupStorage s = Storages.open("pg1", name, new StorageSpec(false, StorageType.FILESYSTEM, null,
                new FilesystemSpec(root.resolve(name).toString(), null)), (secret, key) -> new byte[0]);
        storages.put(name, s);
        return s;
    }

    @AfterEach
    void close() {
        storages.values().forEach(BackupStorage::close);
    }

    private static RestorePlan plan() {
        OffsetDateTime stop = OffsetDateTime.parse("2026-11-22T03:00:06Z");
        CatalogBackup backup = new CatalogBackup("pg1", "local", "b1", CatalogBackup.COMPLETE, null, "0/5000028",
                "0/5000028", "00000001", stop.minusMinutes(5), stop, 1L << 20, 1L << 18, "ab12");
        return new RestorePlan("pg1", "r2", "local", backup, null, List.of(), null, List.of(), null,
                Path.of("/srv/pg/main"), 5432, true, true, false);
    }

    @Test
    void historiesTheCatalogDoesNotKnowYetAreFetchedFromWhicheverStorageHoldsThem() throws Exception {
        BackupStorage local = storage("local");
        BackupStorage offsite = storage("offsite");
        // Restore r1 promoted to timeline 2, archived to the main then; a later one promoted to 3 on the next main.
        local.writeSmall(StorageLayout.timelineHistory(2), "1\t0/6000000\tno recovery target specified\n"
                .getBytes(StandardCharsets.UTF_8));
        offsite.writeSmall(StorageLayout.timelineHistory(3), ("1\t0/6000000\tno recovery target specified\n"
                + "2\t0/8000000\tno recovery target specified\n").getBytes(StandardCharsets.UTF_8));
        Path pgWal = root.resolve("restored/pg_wal");

        WalFetch.Fetched fetched = WalFetch.fetch(plan(), storages, pgWal, 1);

        assertThat(fetched.histories()).containsExactly(2L, 3L);
        assertThat(pgWal.resolve("00000002.history")).exists();
        assertThat(Files.readString(pgWal.resolve("00000003.history"))).contains("2\t0/8000000");
    }

    @Test
    void withNoLaterTimelineNothingMoreIsFetched() throws IOException, InterruptedException {
        storage("local");
        Path pgWal = root.resolve("restored/pg_wal");

        assertThat(WalFetch.fetch(plan(), storages, pgWal, 1).histories()).isEmpty();
        try (var files = Files.list(pgWal)) {
            assertThat(files).isEmpty();
        }
    }
}
