package io.stowage.resync.scan;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.StorageLayout;
import io.stowage.storage.Storages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A scan of a real filesystem storage filled behind Stowage's back. */
class StorageScanTest {
    @TempDir
    Path root;
    BackupStorage storage;

    @BeforeEach
    void open() {
        storage = Storages.open("pg1", "local", new StorageSpec(true, StorageType.FILESYSTEM, null,
                new FilesystemSpec(root.toString(), null)), (secret, key) -> new byte[0]);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void findsWhatIsReallyThere() throws Exception {
        StorageFill.backup(storage, "pg1", "good", 100);
        StorageFill.backup(storage, "pg1", "truncated", 100);
        StorageFill.object(storage, StorageLayout.baseArchive("truncated"), 40);
        StorageFill.garbageManifest(storage, "garbage");
        StorageFill.object(storage, StorageLayout.baseArchive("interrupted"), 10);
        StorageFill.backup(storage, "pg2", "strayed", 10);
        StorageFill.segments(storage, "000000010000000000000003", "000000010000000000000004",
                "000000010000000000000007");
        storage.writeSmall(StorageLayout.timelineHistory(2), "1\t0/7000000\tno recovery target\n".getBytes());

        StorageScan.Result result = new StorageScan().scan("pg1", storage);

        assertThat(result.backups()).isEqualTo(4);
        assertThat(result.incomplete()).isEqualTo(3);
        CatalogBackup good = (CatalogBackup) result.entries().get(CatalogBackup.key("pg1", "local", "good"));
        assertThat(good.complete()).isTrue();
        assertThat(good.stopLsn()).isEqualTo("0/5000138");
        assertThat(good.storedBytes()).isEqualTo(100);
        assertThat(good.manifestSha256()).hasSize(64);
        assertThat(((CatalogBackup) result.entries().get(CatalogBackup.key("pg1", "local", "truncated"))).reason())
                .isEqualTo("base.tar.zst has 40 bytes, the manifest says 100");
        assertThat(((CatalogBackup) result.entries().get(CatalogBackup.key("pg1", "local", "garbage"))).reason())
                .startsWith("stowage.json does not parse");
        assertThat(((CatalogBackup) result.entries().get(CatalogBackup.key("pg1", "local", "interrupted"))).reason())
                .startsWith("no stowage.json");
        assertThat(result.entries()).doesNotContainKey(CatalogBackup.key("pg1", "local", "strayed"));
        assertThat(result.problems()).anyMatch(p -> p.contains("strayed belongs to cluster pg2"))
                .anyMatch(p -> p.startsWith("backup garbage: stowage.json does not parse"));

        CatalogWal wal = (CatalogWal) result.entries().get(CatalogWal.key("pg1", "local", "00000001"));
        assertThat(wal.ranges()).containsExactly(
                new CatalogWal.SegmentRange("000000010000000000000003", "000000010000000000000004"),
                new CatalogWal.SegmentRange("000000010000000000000007", "000000010000000000000007"));
        assertThat(wal.segments()).isEqualTo(3);
        assertThat(wal.historyFile()).isFalse();
        CatalogWal two = (CatalogWal) result.entries().get(CatalogWal.key("pg1", "local", "00000002"));
        assertThat(two.historyFile()).isTrue();
        assertThat(two.ranges()).isEmpty();
        assertThat(result.walSegments()).isEqualTo(3);
    }

    @Test
    void aSecondScanOfAnUnchangedStorageFindsTheSameAndNoticesATruncation() throws Exception {
        StorageFill.backup(storage, "pg1", "b1", 100);
        StorageScan scan = new StorageScan();
        var first = scan.scan("pg1", storage).entries();

        assertThat(scan.scan("pg1", storage).entries()).isEqualTo(first);

        StorageFill.object(storage, StorageLayout.baseArchive("b1"), 99);
        CatalogBackup after = (CatalogBackup) scan.scan("pg1", storage).entries()
                .get(CatalogBackup.key("pg1", "local", "b1"));
        assertThat(after.status()).isEqualTo(CatalogBackup.INCOMPLETE);
        assertThat(List.of(after.reason())).containsExactly("base.tar.zst has 99 bytes, the manifest says 100");
    }

    @Test
    void walAddedOrRemovedAfterAScanIsSeenByTheNext() throws Exception {
        StorageFill.segments(storage, "000000010000000000000003", "000000010000000000000004");
        StorageScan scan = new StorageScan();
        String key = CatalogWal.key("pg1", "local", "00000001");
        assertThat(((CatalogWal) scan.scan("pg1", storage).entries().get(key)).segments()).isEqualTo(2);
        assertThat(((CatalogWal) scan.scan("pg1", storage).entries().get(key)).segments()).as("unchanged").isEqualTo(2);

        StorageFill.segments(storage, "000000010000000000000005");
        assertThat(((CatalogWal) scan.scan("pg1", storage).entries().get(key)).ranges()).containsExactly(
                new CatalogWal.SegmentRange("000000010000000000000003", "000000010000000000000005"));

        storage.delete(StorageLayout.walSegment("000000010000000000000004"));
        assertThat(((CatalogWal) scan.scan("pg1", storage).entries().get(key)).segments()).isEqualTo(2);

        StorageFill.segments(storage, "000000020000000000000005");
        assertThat(scan.scan("pg1", storage).entries()).containsKey(CatalogWal.key("pg1", "local", "00000002"));
    }
}
