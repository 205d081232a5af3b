package io.stowage.resync.retention;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.spec.RetentionAge;
import io.stowage.events.spec.RetentionSpec;
import io.stowage.resync.catalog.WalRanges;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a cluster's retention removes, from the catalog as it is: per storage, the complete backups beyond its
 * {@code keep} newest or older than its {@code maxAge}; then, on every storage, the WAL that no backup kept on any
 * storage needs. Never:
 * <ul>
 *     <li>a storage's newest complete backup;</li>
 *     <li>a backup a running restore uses;</li>
 *     <li>a backup of a storage without retention;</li>
 *     <li>WAL from the start of the oldest backup kept anywhere (the lowest timeline, the lowest start on it) on,
 *     nor any WAL of a later timeline, nor a timeline's history file.</li>
 * </ul>
 * No storage and no bus here: the plan is carried out by the expiry, manifest first.
 */
public final class RetentionPlan {
    /** PostgreSQL's default WAL segment size, which the catalog's segment names assume. */
    static final long SEGMENT_BYTES = 16L << 20;

    /** A backup to remove from one storage, and why. */
    public record BackupRemoval(String storage, String backupId, String reason) {
    }

    /** WAL to remove from one storage: a run of consecutive segments of one timeline, both ends included. */
    public record WalRemoval(String storage, String timeline, String first, String last, String reason) {
    }

    /**
     * The whole decision; {@code held} are the backups retention would remove but a running restore uses (kept, for
     * now); {@code oldestKept} is the backup whose start the WAL is kept from (empty: none kept).
     */
    public record Decision(List<BackupRemoval> backups, List<WalRemoval> wal, List<BackupRemoval> held,
                           Optional<CatalogBackup> oldestKept) {
        public boolean nothing() {
            return backups.isEmpty() && wal.isEmpty();
        }
    }

    private RetentionPlan() {
    }

    /**
     * @param retention      each storage's retention, as configured (a storage that has none keeps everything)
     * @param backups        the catalog's backups of the cluster, every storage, complete or not
     * @param wal            the catalog's WAL entries of the cluster, every storage
     * @param usedByRestores backups running restores use, as {@code storage + " " + backupId}; also any backup id
     *                       alone, for a restore whose storage is not known
     */
    public static Decision decide(Map<String, RetentionSpec> retention, List<CatalogBackup> backups,
                                  List<CatalogWal> wal, Set<String> usedByRestores, Instant now) {
        List<BackupRemoval> removals = new ArrayList<>();
        List<BackupRemoval> held = new ArrayList<>();
        List<CatalogBackup> kept = new ArrayList<>();
        Map<String, List<CatalogBackup>> byStorage = new java.util.TreeMap<>();
        for (CatalogBackup b : backups) {
            if (b.complete() && b.stopTime() != null) {
                byStorage.computeIfAbsent(b.storage(), s -> new ArrayList<>()).add(b);
            }
        }
        byStorage.forEach((storage, list) -> {
            list.sort(Comparator.comparing(CatalogBackup::stopTime, Comparator.comparing(OffsetDateTime::toInstant))
                    .reversed().thenComparing(CatalogBackup::backupId));
            RetentionSpec spec = retention.get(storage);
            for (int i = 0; i < list.size(); i++) {
                CatalogBackup b = list.get(i);
                String why = i == 0 || spec == null ? null : beyond(spec, i, b, now);
                if (why != null && (usedByRestores.contains(storage + " " + b.backupId())
                        || usedByRestores.contains(b.backupId()))) {
                    held.add(new BackupRemoval(storage, b.backupId(), why));
                    why = null; // a running restore reads it: it goes once the restore has ended
                }
                if (why == null) {
                    kept.add(b);
                } else {
                    removals.add(new BackupRemoval(storage, b.backupId(), why));
                }
            }
        });
        Optional<CatalogBackup> oldest = kept.stream().filter(b -> b.timeline() != null && b.startLsn() != null)
                .min(Comparator.comparing((CatalogBackup b) -> Long.parseLong(b.timeline(), 16))
                        .thenComparingLong(b -> lsn(b.startLsn())));
        return new Decision(removals, oldest.map(o -> walBefore(o, wal)).orElse(List.of()), held, oldest);
    }

    /** Why the {@code index}-th newest backup (0 the newest) goes, or null when it stays. */
    private static String beyond(RetentionSpec spec, int index, CatalogBackup b, Instant now) {
        if (spec.keep() != null && index >= spec.keep()) {
            return "retention keep " + spec.keep() + ": " + index + " newer complete backups on the storage";
        }
        if (spec.maxAge() != null) {
            Duration maxAge = RetentionAge.parse(spec.maxAge());
            Duration age = Duration.between(b.stopTime().toInstant(), now);
            if (age.compareTo(maxAge) > 0) {
                return "retention maxAge " + spec.maxAge() + ": completed " + b.stopTime() + ", " + age.toHours()
                        + " h ago";
            }
        }
        return null;
    }

    /** The WAL before the oldest kept backup's start: earlier timelines whole, its own timeline up to it. */
    private static List<WalRemoval> walBefore(CatalogBackup oldest, List<CatalogWal> wal) {
        long timeline = Long.parseLong(oldest.timeline(), 16);
        long firstNeeded = lsn(oldest.startLsn()) / SEGMENT_BYTES;
        String reason = "before the start of backup " + oldest.backupId() + " on " + oldest.storage() + " ("
                + oldest.startLsn() + ", timeline " + oldest.timeline() + "), the oldest kept on any storage";
        List<WalRemoval> out = new ArrayList<>();
        for (CatalogWal entry : wal) {
            long t = Long.parseLong(entry.timeline(), 16);
            if (t > timeline) {
                continue;
            }
            for (CatalogWal.SegmentRange r : entry.ranges()) {
                long first = number(r.first());
                long last = number(r.last());
                long cut = t < timeline ? last : Math.min(last, firstNeeded - 1);
                if (first <= cut) {
                    out.add(new WalRemoval(entry.storage(), entry.timeline(), r.first(), name(t, cut), reason));
                }
            }
        }
        return out;
    }

    /** An LSN as PostgreSQL writes it ({@code 16/B374D848}). */
    static long lsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    static long number(String segment) {
        return WalRanges.number(segment);
    }

    static String name(long timeline, long number) {
        return WalRanges.name(String.format("%08X", timeline), number);
    }
}
