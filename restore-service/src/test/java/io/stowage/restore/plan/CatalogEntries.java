package io.stowage.restore.plan;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Catalog entries for tests, with segments given as numbers (16 MiB segments: 256 per log id). */
final class CatalogEntries {
    static final String CLUSTER = "pg1";

    private CatalogEntries() {
    }

    /** A segment's file name, written out here rather than taken from the code under test. */
    static String segment(long timeline, long number) {
        return String.format("%08X%08X%08X", timeline, number / 256, number % 256);
    }

    /**
     * The WAL of timeline 1 on a storage, as runs given by their ends: {@code wal("main", 3, 5, 8, 9)} is 3..5 and
     * 8..9.
     */
    static CatalogWal wal(String storage, long... ends) {
        return wal(storage, 1, false, ends);
    }

    static CatalogWal wal(String storage, long timeline, boolean historyFile, long... ends) {
        List<CatalogWal.SegmentRange> ranges = new ArrayList<>();
        long count = 0;
        for (int i = 0; i < ends.length; i += 2) {
            ranges.add(new CatalogWal.SegmentRange(segment(timeline, ends[i]), segment(timeline, ends[i + 1])));
            count += ends[i + 1] - ends[i] + 1;
        }
        return new CatalogWal(CLUSTER, storage, String.format("%08X", timeline), ranges, count, historyFile);
    }

    /** A complete backup on timeline 1 that is consistent at {@code stopLsn} and {@code stopTime}. */
    static CatalogBackup backup(String storage, String backupId, String stopLsn, String stopTime) {
        OffsetDateTime stop = OffsetDateTime.parse(stopTime);
        return new CatalogBackup(CLUSTER, storage, backupId, CatalogBackup.COMPLETE, null, stopLsn, stopLsn,
                "00000001", stop.minusMinutes(5), stop, 1L << 30, 1L << 28, "ab12");
    }

    /** The same backup, of another cluster. */
    static CatalogBackup ofCluster(String cluster, CatalogBackup b) {
        return new CatalogBackup(cluster, b.storage(), b.backupId(), b.status(), b.reason(), b.startLsn(),
                b.stopLsn(), b.timeline(), b.startTime(), b.stopTime(), b.sizeBytes(), b.storedBytes(),
                b.manifestSha256());
    }

    /** The same WAL, of another cluster. */
    static CatalogWal ofCluster(String cluster, CatalogWal w) {
        return new CatalogWal(cluster, w.storage(), w.timeline(), w.ranges(), w.segments(), w.historyFile());
    }

    static CatalogBackup incomplete(String storage, String backupId, String reason, String stopLsn, String stopTime) {
        OffsetDateTime stop = OffsetDateTime.parse(stopTime);
        return new CatalogBackup(CLUSTER, storage, backupId, CatalogBackup.INCOMPLETE, reason, stopLsn, stopLsn,
                "00000001", stop.minusMinutes(5), stop, 1L << 30, null, null);
    }
}
