package io.stowage.resync.scan;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.CatalogWal;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CatalogDiffTest {

    private static CatalogBackup backup(String id, String status, String sha) {
        return new CatalogBackup("pg1", "local", id, status, null, null, null, null, null, null, null, null, sha);
    }

    private static Map<String, CatalogEvent> byKey(CatalogEvent... entries) {
        java.util.Map<String, CatalogEvent> m = new java.util.LinkedHashMap<>();
        for (CatalogEvent e : entries) {
            m.put(e.entryKey(), e);
        }
        return m;
    }

    @Test
    void writesOnlyTheDifferences() {
        CatalogBackup same = backup("same", CatalogBackup.COMPLETE, "a");
        CatalogBackup changedBefore = backup("changed", CatalogBackup.COMPLETE, "b");
        CatalogBackup changedNow = backup("changed", CatalogBackup.INCOMPLETE, "b");
        CatalogBackup gone = backup("gone", CatalogBackup.COMPLETE, "c");
        CatalogBackup fresh = backup("new", CatalogBackup.COMPLETE, "d");
        CatalogWal wal = new CatalogWal("pg1", "local", "00000001",
                List.of(new CatalogWal.SegmentRange("000000010000000000000003", "000000010000000000000004")), 2, false);

        CatalogDiff diff = CatalogDiff.between(byKey(same, changedBefore, gone, wal),
                byKey(same, changedNow, fresh, wal));

        assertThat(diff.upserts()).containsExactlyInAnyOrder(changedNow, fresh);
        assertThat(diff.tombstones()).containsExactly(gone.entryKey());
        assertThat(diff.added()).isEqualTo(1);
        assertThat(diff.removed()).isEqualTo(1);
    }

    @Test
    void aStorageThatDidNotChangeWritesNothing() {
        CatalogBackup b = backup("b1", CatalogBackup.COMPLETE, "a");

        assertThat(CatalogDiff.between(byKey(b), byKey(b)).empty()).isTrue();
    }
}
