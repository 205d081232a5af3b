package io.stowage.resync.catalog;

import io.stowage.events.data.CatalogWal.SegmentRange;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs of consecutive WAL segments. Segment {@code (log, seg)} is followed by {@code (log, seg + 1)}, or by
 * {@code (log + 1, 0)} when {@code seg} is the last of its log id: with any segment size that is a number of the form
 * 2^k - 1 (0xFF for 16 MiB segments), so the segment size need not be known.
 */
public final class WalRanges {
    private WalRanges() {
    }

    /** Whether {@code next} directly follows {@code previous} (same timeline assumed). */
    public static boolean follows(String previous, String next) {
        long prevLog = Long.parseLong(previous.substring(8, 16), 16);
        long prevSeg = Long.parseLong(previous.substring(16, 24), 16);
        long log = Long.parseLong(next.substring(8, 16), 16);
        long seg = Long.parseLong(next.substring(16, 24), 16);
        if (log == prevLog) {
            return seg == prevSeg + 1;
        }
        return log == prevLog + 1 && seg == 0 && (prevSeg & (prevSeg + 1)) == 0;
    }

    /** Builds ranges from segment names given in order (as a storage lists them). */
    public static final class Builder {
        private final List<SegmentRange> ranges = new ArrayList<>();
        private String first;
        private String last;
        private long count;

        public void add(String segment) {
            if (last != null && segment.equals(last)) {
                return;
            }
            if (last != null && follows(last, segment)) {
                last = segment;
            } else {
                close();
                first = segment;
                last = segment;
            }
            count++;
        }

        private void close() {
            if (first != null) {
                ranges.add(new SegmentRange(first, last));
            }
        }

        public List<SegmentRange> ranges() {
            close();
            first = null;
            last = null;
            return List.copyOf(ranges);
        }

        public long count() {
            return count;
        }
    }

    /** The ranges with one more segment; the same list when it is in already. */
    public static List<SegmentRange> with(List<SegmentRange> ranges, String segment) {
        List<SegmentRange> out = new ArrayList<>(ranges.size() + 1);
        boolean placed = false;
        for (SegmentRange r : ranges) {
            if (placed) {
                out.add(r);
                continue;
            }
            if (segment.compareTo(r.first()) >= 0 && segment.compareTo(r.last()) <= 0) {
                return ranges;
            }
            if (follows(r.last(), segment)) {
                out.add(new SegmentRange(r.first(), segment));
                placed = true;
            } else if (follows(segment, r.first())) {
                out.add(new SegmentRange(segment, r.last()));
                placed = true;
            } else if (segment.compareTo(r.first()) < 0) {
                out.add(new SegmentRange(segment, segment));
                out.add(r);
                placed = true;
            } else {
                out.add(r);
            }
        }
        if (!placed) {
            out.add(new SegmentRange(segment, segment));
        }
        return merge(out);
    }

    /**
     * The ranges without the segments from {@code first} to {@code last} (both included, names of one timeline in
     * order), and how many segments that took out.
     */
    public static Cut without(List<SegmentRange> ranges, String first, String last) {
        List<SegmentRange> out = new ArrayList<>(ranges.size() + 1);
        long removed = 0;
        long from = number(first);
        long to = number(last);
        String timeline = first.substring(0, 8);
        for (SegmentRange r : ranges) {
            long a = number(r.first());
            long b = number(r.last());
            if (b < from || a > to) {
                out.add(r);
                continue;
            }
            removed += Math.min(b, to) - Math.max(a, from) + 1;
            if (a < from) {
                out.add(new SegmentRange(r.first(), name(timeline, from - 1)));
            }
            if (b > to) {
                out.add(new SegmentRange(name(timeline, to + 1), r.last()));
            }
        }
        return new Cut(List.copyOf(out), removed);
    }

    /** Ranges after a cut, and how many segments it took out. */
    public record Cut(List<SegmentRange> ranges, long removed) {
    }

    /** Segments per log id with PostgreSQL's default 16 MiB segments, which segment numbers assume. */
    public static final long SEGMENTS_PER_LOG = 0x100;

    /** A segment's number along its timeline, from its name. */
    public static long number(String segment) {
        return Long.parseLong(segment.substring(8, 16), 16) * SEGMENTS_PER_LOG + Long.parseLong(segment.substring(16, 24), 16);
    }

    /** The name of segment {@code number} of a timeline (8 hex digits). */
    public static String name(String timeline, long number) {
        return String.format("%s%08X%08X", timeline, number / SEGMENTS_PER_LOG, number % SEGMENTS_PER_LOG);
    }

    private static List<SegmentRange> merge(List<SegmentRange> ranges) {
        List<SegmentRange> out = new ArrayList<>(ranges.size());
        for (SegmentRange r : ranges) {
            if (!out.isEmpty() && follows(out.get(out.size() - 1).last(), r.first())) {
                SegmentRange prev = out.remove(out.size() - 1);
                out.add(new SegmentRange(prev.first(), r.last()));
            } else {
                out.add(r);
            }
        }
        return List.copyOf(out);
    }
}
