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
