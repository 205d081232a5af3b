package io.stowage.postgres;

/**
 * WAL positions (LSNs) and segment file names, computed as PostgreSQL does (XLogFileName, XLByteToSeg): a segment
 * name is the timeline, then the segment number split in "log id" and "segment within log id", 8 hex digits each.
 */
public final class WalSegments {
    private static final long LOG_ID_SPAN = 0x1_0000_0000L;

    private WalSegments() {
    }

    /** Parses {@code X/Y} (hex halves), as {@code pg_current_wal_lsn()} prints it. */
    public static long parseLsn(String lsn) {
        int slash = lsn.indexOf('/');
        if (slash < 1 || slash == lsn.length() - 1) {
            throw new IllegalArgumentException("not an LSN: " + lsn);
        }
        return (Long.parseLong(lsn.substring(0, slash), 16) << 32) | Long.parseLong(lsn.substring(slash + 1), 16);
    }

    public static String formatLsn(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFF_FFFFL).toUpperCase();
    }

    /** The start of the segment that holds {@code lsn}. */
    public static long segmentStart(long lsn, long segmentSize) {
        return lsn - Math.floorMod(lsn, segmentSize);
    }

    /** The name of the segment that holds {@code lsn} on {@code timeline}. */
    public static String segmentName(long timeline, long lsn, long segmentSize) {
        long segmentNumber = lsn / segmentSize;
        long perLogId = LOG_ID_SPAN / segmentSize;
        return String.format("%08X%08X%08X", timeline, segmentNumber / perLogId, segmentNumber % perLogId);
    }

    /** Where the named segment starts. */
    public static long startOf(String segmentName, long segmentSize) {
        requireSegmentName(segmentName);
        long logId = Long.parseLong(segmentName.substring(8, 16), 16);
        long withinLogId = Long.parseLong(segmentName.substring(16, 24), 16);
        return (logId * (LOG_ID_SPAN / segmentSize) + withinLogId) * segmentSize;
    }


    /** The name of a timeline's history file, e.g. {@code 00000002.history}. */
    public static String historyFileName(long timeline) {
        return String.format("%08X.history", timeline);
    }

    private static void requireSegmentName(String name) {
        if (name.length() != 24 || !name.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
            throw new IllegalArgumentException("not a WAL segment name: " + name);
        }
    }
}
