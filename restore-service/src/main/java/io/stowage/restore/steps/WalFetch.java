package io.stowage.restore.steps;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.stowage.postgres.WalSegments;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.plan.WalChain;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.NoSuchObjectException;
import io.stowage.storage.StorageLayout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Puts the WAL replay needs into the restored folder's pg_wal BEFORE the server starts, downloaded in parallel and
 * decompressed: replay then reads local files, with no program started per segment. The planned segments come
 * first; then the chain is followed on the storages themselves (the main first) for segments archived after the
 * catalog was read (archiving drains when it is paused), until a segment is on none of them.
 */
final class WalFetch {

    /** What was fetched: how many segments, the last one, and the timelines whose history files came along. */
    record Fetched(long segments, String lastSegment, List<Long> histories) {
    }

    private WalFetch() {
    }

    /**
     * The history files of timelines later than any the plan knows, looked for on every storage now: a restore
     * promoted since the catalog was read (its history not yet archived or catalogued when this one was planned)
     * made one. PostgreSQL picks its new timeline above the newest history it finds, so two restores never promote
     * to the same timeline id and overwrite each other's WAL. ({@code recovery_target_timeline = 'current'}: they
     * change nothing else.)
     */
    private static List<Long> newerHistories(RestorePlan plan, Map<String, BackupStorage> storages, Path pgWal,
                                             List<Long> known) throws IOException {
        long newest = Math.max(plan.timeline(), known.stream().mapToLong(Long::longValue).max().orElse(0));
        List<Long> found = new ArrayList<>();
        for (long t = newest + 1; ; t++) {
            String key = StorageLayout.timelineHistory(t);
            byte[] content = null;
            for (BackupStorage storage : storages.values()) {
                if (storage.stat(key).isPresent()) {
                    content = storage.readSmall(key);
                    break;
                }
            }
            if (content == null) {
                return found;
            }
            write(pgWal.resolve(WalSegments.historyFileName(t)), content);
            found.add(t);
        }
    }

    /** @param storages the cluster's storages, opened, in preference order (the main first) */
    static Fetched fetch(RestorePlan plan, Map<String, BackupStorage> storages, Path pgWal, int threads)
            throws IOException, InterruptedException {
        Files.createDirectories(pgWal);
        List<Long> histories = new ArrayList<>();
        for (RestorePlan.History h : plan.histories()) {
            BackupStorage storage = storages.get(h.storage());
            if (storage != null) {
                byte[] content = storage.readSmall(StorageLayout.timelineHistory(h.timeline()));
                write(pgWal.resolve(WalSegments.historyFileName(h.timeline())), content);
                histories.add(h.timeline());
            }
        }
        histories.addAll(newerHistories(plan, storages, pgWal, histories));
        if (plan.wal().isEmpty()) {
            return new Fetched(0, null, histories);
        }
        long timeline = plan.timeline();
        long count = 0;
        long last = -1;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "wal-fetch");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> downloads = new ArrayList<>();
            for (WalChain.Piece piece : plan.wal()) {
                BackupStorage storage = storages.get(piece.storage());
                for (long segment = piece.first(); segment <= piece.last(); segment++) {
                    String name = WalChain.name(timeline, segment);
                    downloads.add(pool.submit(() -> {
                        download(storage, name, pgWal);
                        return null;
                    }));
                    last = Math.max(last, segment);
                    count++;
                }
            }
            await(downloads);
            // Segments archived since the catalog was read: follow the chain on the storages, a few at a time.
            while (true) {
                List<Future<Boolean>> probes = new ArrayList<>();
                for (int i = 1; i <= threads; i++) {
                    String name = WalChain.name(timeline, last + i);
                    probes.add(pool.submit(() -> downloadFromAny(storages, name, pgWal)));
                }
                int found = 0;
                for (Future<Boolean> p : probes) {
                    if (!get(p)) {
                        break;
                    }
                    found++;
                }
                last += found;
                count += found;
                if (found < threads) {
                    break;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Fetched(count, WalChain.name(timeline, last), histories);
    }

    private static boolean downloadFromAny(Map<String, BackupStorage> storages, String name, Path pgWal)
            throws IOException {
        for (BackupStorage storage : storages.values()) {
            if (storage.stat(StorageLayout.walSegment(name)).isPresent()) {
                download(storage, name, pgWal);
                return true;
            }
        }
        return false;
    }

    private static void download(BackupStorage storage, String name, Path pgWal) throws IOException {
        Path tmp = pgWal.resolve(name + ".stowage-tmp");
        try (InputStream in = new ZstdInputStreamNoFinalizer(storage.download(StorageLayout.walSegment(name)));
             OutputStream out = Files.newOutputStream(tmp)) {
            in.transferTo(out);
        } catch (NoSuchObjectException e) {
            throw new IOException("WAL segment " + name + " is no longer on " + storage.describe(), e);
        } catch (IOException e) {
            throw new IOException("WAL segment " + name + " from " + storage.describe() + " cannot be read: "
                    + e.getMessage(), e);
        }
        Files.move(tmp, pgWal.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void write(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".stowage-tmp");
        Files.write(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void await(List<Future<?>> futures) throws IOException, InterruptedException {
        for (Future<?> f : futures) {
            get(f);
        }
    }

    private static <T> T get(Future<T> f) throws IOException, InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    static Optional<Long> lastNumber(Fetched f) {
        return Optional.ofNullable(f.lastSegment()).map(WalChain::number);
    }
}
