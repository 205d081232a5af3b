package io.stowage.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageLayoutTest {

    @Test
    void backupKeysFollowTheContract() {
        assertThat(StorageLayout.baseArchive("nightly-20261122")).isEqualTo("backups/nightly-20261122/base.tar.zst");
        assertThat(StorageLayout.tablespaceArchive("b1", 16384)).isEqualTo("backups/b1/16384.tar.zst");
        assertThat(StorageLayout.manifest("b1")).isEqualTo("backups/b1/stowage.json");
        assertThat(StorageLayout.backupFolder("b1")).isEqualTo("backups/b1/");
    }

    @Test
    void walKeysFollowTheContract() {
        assertThat(StorageLayout.walSegment("000000020000000A000000FF"))
                .isEqualTo("wal/00000002/000000020000000A000000FF.zst");
        assertThat(StorageLayout.timelineHistory(2)).isEqualTo("wal/00000002/00000002.history");
        assertThat(StorageLayout.walTimelineFolder(0x1A)).isEqualTo("wal/0000001A/");
        assertThat(StorageLayout.timelineHex(0xFFFFFFFFL)).isEqualTo("FFFFFFFF");
    }

    @Test
    void refusesWhatCannotNameAFile() {
        assertThatThrownBy(() -> StorageLayout.baseArchive("../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageLayout.baseArchive(".hidden")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageLayout.baseArchive("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageLayout.baseArchive("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageLayout.walSegment("00000001000000000000000")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageLayout.walSegment("000000010000000000000001.partial"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageLayout.timelineHistory(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StorageLayout.tablespaceArchive("b1", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesBackupKeys() {
        assertThat(StorageLayout.backupIdOf("backups/b1/base.tar.zst")).contains("b1");
        assertThat(StorageLayout.backupIdOf("backups/b1/stowage.json")).contains("b1");
        assertThat(StorageLayout.backupIdOf("backups/b1/deeper/file")).isEmpty();
        assertThat(StorageLayout.backupIdOf("wal/00000001/00000001.history")).isEmpty();
        assertThat(StorageLayout.backupIdOfManifest("backups/b1/stowage.json")).contains("b1");
        assertThat(StorageLayout.backupIdOfManifest("backups/b1/base.tar.zst")).isEmpty();
        assertThat(StorageLayout.isBaseArchive("backups/b1/base.tar.zst")).isTrue();
        assertThat(StorageLayout.tablespaceOidOf("backups/b1/16384.tar.zst")).contains(16384L);
        assertThat(StorageLayout.tablespaceOidOf("backups/b1/base.tar.zst")).isEmpty();
        assertThat(StorageLayout.tablespaceOidOf("backups/b1/99999999999.tar.zst")).isEmpty();
    }

    @Test
    void parsesWalKeys() {
        assertThat(StorageLayout.walSegmentOf("wal/00000002/000000020000000A000000FF.zst"))
                .contains(new StorageLayout.WalSegmentKey(2, "000000020000000A000000FF"));
        // A segment filed under another timeline's folder is not ours.
        assertThat(StorageLayout.walSegmentOf("wal/00000001/000000020000000A000000FF.zst")).isEmpty();
        assertThat(StorageLayout.walSegmentOf("wal/00000002/000000020000000A000000FF")).isEmpty();
        assertThat(StorageLayout.walSegmentOf("wal/00000002/000000020000000a000000FF.zst")).as("lower case").isEmpty();
        assertThat(StorageLayout.walSegmentOf("wal/00000002/000000020000000A000000F.zst")).isEmpty();
        assertThat(StorageLayout.walSegmentOf("wal/00000002x000000020000000A000000FF.zst")).isEmpty();
        assertThat(StorageLayout.walSegmentOf("wal/00000002/000000020000000A000000FF.lz4")).isEmpty();
        assertThat(StorageLayout.historyTimelineOf("wal/00000003/00000003.history")).contains(3L);
        assertThat(StorageLayout.historyTimelineOf("wal/00000003/00000002.history")).isEmpty();
        String key = StorageLayout.walSegment("0000000100000000000000A1");
        assertThat(StorageLayout.walSegmentOf(key).orElseThrow().segmentName()).isEqualTo("0000000100000000000000A1");
    }
}
