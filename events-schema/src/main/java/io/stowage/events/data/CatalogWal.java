package io.stowage.events.data;

import java.util.List;

/**
 * The WAL of one timeline on one storage, as ranges of consecutive segments: a gap between two ranges is WAL that is
 * not on this storage (it may be on an earlier main).
 *
 * @param ranges      first and last segment of each run of consecutive segments, in order
 * @param segments    how many segments in all
 * @param historyFile whether the timeline's history file is there too
 */
public record CatalogWal(
        String cluster,
        String storage,
        String timeline,
        List<SegmentRange> ranges,
        long segments,
        boolean historyFile) implements CatalogEvent {

    /** A run of consecutive segments, both ends included. */
    public record SegmentRange(String first, String last) {
    }

    @Override
    public String entryKey() {
        return key(cluster, storage, timeline);
    }

    public static String key(String cluster, String storage, String timeline) {
        return cluster + " " + storage + " wal " + timeline;
    }
}
