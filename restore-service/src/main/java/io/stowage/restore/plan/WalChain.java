package io.stowage.restore.plan;

import io.stowage.events.data.CatalogWal;
import io.stowage.postgres.WalSegments;
import io.stowage.storage.StorageLayout;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The WAL of one timeline across storages: which segments are on which storage, and where the chain from a
 * segment breaks. Segments are counted as numbers ({@code lsn / segment size}); a storage listed earlier is preferred
 * for a segment that is on several.
 */
public final class WalChain {
    /** PostgreSQL's default; Stowage assumes it (docs/operations.md says so). */
    public static final long SEGMENT_SIZE = 16L * 1024 * 1024;

    /** A run of consecutive segments on one storage, both ends included. */
    public record Piece(String storage, long timeline, long first, long last) {
        public long count() {
            return last - first + 1;
        }
    }

    /** A run of segments that are on no storage, both ends included. */
    public record Gap(long timeline, long first, long last) {
        public String describe() {
            return name(timeline, first) + " to " + name(timeline, last);
        }
    }

    private final long timeline;
    private final List<Piece> pieces;

    private WalChain(long timeline, List<Piece> pieces) {
        this.timeline = timeline;
        this.pieces = pieces;
    }

    /**
     * @param storages the storages in order of preference (the main first)
     * @param wal      the catalog's WAL entries of the cluster (any timeline, any storage)
     */
    public static WalChain of(long timeline, List<String> storages, List<CatalogWal> wal) {
        String tli = StorageLayout.timelineHex(timeline);
        List<Piece> pieces = new ArrayList<>();
        for (String storage : storages) {
            for (CatalogWal w : wal) {
                if (w.storage().equals(storage) && w.timeline().equalsIgnoreCase(tli) && w.ranges() != null) {
                    w.ranges().forEach(r -> pieces.add(new Piece(storage, timeline, number(r.first()), number(r.last()))));
                }
            }
        }
        return new WalChain(timeline, pieces);
    }

    public static long number(String segmentName) {
        return WalSegments.startOf(segmentName, SEGMENT_SIZE) / SEGMENT_SIZE;
    }

    public static String name(long timeline, long number) {
        return WalSegments.segmentName(timeline, number * SEGMENT_SIZE, SEGMENT_SIZE);
    }

    public static long numberOfLsn(long lsn) {
        return lsn / SEGMENT_SIZE;
    }

    /** The last segment of the unbroken chain that starts at {@code from}; empty when {@code from} is nowhere. */
    public Optional<Long> endOfChainFrom(long from) {
        if (find(from).isEmpty()) {
            return Optional.empty();
        }
        long end = from;
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Piece p : pieces) {
                if (p.first() <= end + 1 && p.last() > end) {
                    end = p.last();
                    grew = true;
                }
            }
        }
        return Optional.of(end);
    }

    /**
     * The segments missing right after {@code end}, up to the next segment known anywhere; empty when the segment
     * after {@code end} is on some storage, or no later segment is.
     */
    public Optional<Gap> gapAfter(long end) {
        if (find(end + 1).isPresent()) {
            return Optional.empty();
        }
        return pieces.stream().filter(p -> p.first() > end).map(Piece::first).min(Long::compare)
                .map(next -> new Gap(timeline, end + 1, next - 1));
    }

    /** The newest segment known on any storage, if any. */
    public Optional<Long> newest() {
        return pieces.stream().map(Piece::last).max(Long::compare);
    }

    /** Which storage a segment is read from: the first storage (in preference order) that has it. */
    public Optional<String> storageOf(long segment) {
        return find(segment).map(Piece::storage);
    }

    private Optional<Piece> find(long segment) {
        return pieces.stream().filter(p -> p.first() <= segment && segment <= p.last()).findFirst();
    }

    /** The segments {@code from..to} (all present) as pieces to fetch, each from its preferred storage. */
    public List<Piece> plan(long from, long to) {
        List<Piece> out = new ArrayList<>();
        long at = from;
        while (at <= to) {
            long segment = at;
            Piece p = find(segment).orElseThrow(() -> new IllegalStateException("segment " + name(timeline, segment)
                    + " is on no storage"));
            long last = Math.min(to, p.last());
            // A more preferred storage that has the segments from some point on takes over there.
            for (Piece preferred : pieces.subList(0, pieces.indexOf(p))) {
                if (preferred.first() > segment && preferred.first() <= last) {
                    last = preferred.first() - 1;
                }
            }
            out.add(new Piece(p.storage(), timeline, at, last));
            at = last + 1;
        }
        out.sort(Comparator.comparingLong(Piece::first));
        return out;
    }
}
