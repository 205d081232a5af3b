package io.stowage.restore.steps;

import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.plan.WalChain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the restored copy fits where it goes, asked before anything is written: in place, the copy lands beside
 * the live data directory, whose pg_wal grows meanwhile (the slot holds WAL since the pause), so a restore that
 * filled the disk would take the running primary down with it.
 */
final class DiskSpace {
    /** PostgreSQL's default WAL segment size: what each segment to fetch takes in pg_wal. */
    static final long SEGMENT_BYTES = 16L << 20;
    /** Room left free beyond the copy: a tenth of it, and never less than this (pg_wal growth, logs, the OS). */
    static final long MIN_MARGIN = 512L << 20;

    /** How much free space a restore by {@code plan} asks for: the backup unpacked, the WAL to fetch, a margin. */
    static long needed(RestorePlan plan) {
        long backup = plan.backup().sizeBytes() == null ? 0 : plan.backup().sizeBytes();
        long wal = plan.wal().stream().mapToLong(WalChain.Piece::count).sum() * SEGMENT_BYTES;
        return backup + wal + Math.max(MIN_MARGIN, (backup + wal) / 10);
    }

    /** Bytes free for this process where {@code dir} is (or would be made). */
    static long usable(Path dir) throws IOException {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw new IOException("no existing folder above " + dir);
        }
        return Files.getFileStore(existing).getUsableSpace();
    }

    /** Why the copy does not fit, or null when it does. */
    static String shortfall(RestorePlan plan, Path dir, long usable) {
        long needed = needed(plan);
        if (usable >= needed) {
            return null;
        }
        return String.format("not enough free space for the restored copy in %s: %s needed (backup %s unpacked, %d "
                        + "WAL segments, and a margin), %s free; nothing was written: free space, or restore to a "
                        + "new instance on another disk (target)", dir.toAbsolutePath().getParent(), gib(needed),
                gib(plan.backup().sizeBytes() == null ? 0 : plan.backup().sizeBytes()),
                plan.wal().stream().mapToLong(WalChain.Piece::count).sum(), gib(usable));
    }

    private static String gib(long bytes) {
        return String.format("%.2f GiB", bytes / (double) (1L << 30));
    }
}
