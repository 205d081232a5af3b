package io.stowage.resync.scan;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.CatalogWal;
import io.stowage.resync.catalog.CatalogUpdates;
import io.stowage.resync.catalog.WalRanges;
import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.StorageLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Reads what is really on one storage of one cluster, in one listing: every backup folder (its manifest, whether
 * the objects it lists are there with their sizes) and the WAL as runs of segments per timeline. Problems (a manifest
 * that does not parse, a backup of another cluster under the prefix) are reported and do not stop the scan.
 * Manifests whose size and modification time have not changed since the last scan are not read again.
 */
public final class StorageScan {

    /**
     * What one scan found: the catalog entries of the storage, and what it had to say about them.
     *
     * @param prefixMissing the storage's folder for the cluster does not exist (see BackupStorage.prefixExists)
     */
    public record Result(Map<String, CatalogEvent> entries, int backups, int incomplete, long walSegments,
                         List<String> problems, boolean prefixMissing) {
    }

    private record ManifestStamp(long size, long modifiedMillis, CatalogBackup entry) {
    }

    private final Map<String, ManifestStamp> manifests = new ConcurrentHashMap<>();

    /** The WAL part of the last scan of a storage, with the folder stamps it was listed under. */
    private record WalSnapshot(Map<String, String> stamps, Map<String, CatalogEvent> entries, long segments) {
    }

    private final Map<String, WalSnapshot> walSnapshots = new ConcurrentHashMap<>();

    public Result scan(String cluster, BackupStorage storage) throws IOException {
        // Asked before listing: a folder made by a write during the scan is not mistaken for a missing one.
        boolean prefixMissing = !storage.prefixExists();
        // The WAL listing (often the bigger part) runs beside the backups' listing and manifest reads.
        java.util.concurrent.CompletableFuture<WalSnapshot> walScan = new java.util.concurrent.CompletableFuture<>();
        Thread walThread = new Thread(() -> {
            try {
                walScan.complete(scanWal(cluster, storage));
            } catch (Throwable e) {
                walScan.completeExceptionally(e);
            }
        }, "resync-wal-" + storage.name());
        walThread.setDaemon(true);
        walThread.start();
        Map<String, CatalogEvent> entries = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        int[] counts = new int[2];
        BackupFolder[] folder = new BackupFolder[1];
        try (Stream<ObjectInfo> objects = storage.list(StorageLayout.BACKUPS)) {
            objects.forEach(o -> {
                String key = o.key();
                var backupId = StorageLayout.backupIdOf(key);
                if (folder[0] != null && (backupId.isEmpty() || !backupId.get().equals(folder[0].backupId))) {
                    finish(cluster, storage, folder[0], entries, problems, counts);
                    folder[0] = null;
                }
                if (backupId.isPresent()) {
                    if (folder[0] == null) {
                        folder[0] = new BackupFolder(backupId.get());
                    }
                    folder[0].objects.put(key.substring(key.lastIndexOf('/') + 1), o);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (folder[0] != null) {
            finish(cluster, storage, folder[0], entries, problems, counts);
        }
        WalSnapshot wal;
        try {
            wal = walScan.get();
        } catch (InterruptedException e) {
            walThread.interrupt();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while listing the WAL", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("listing the WAL failed: " + e.getCause(), e.getCause());
        }
        entries.putAll(wal.entries());
        return new Result(entries, counts[0], counts[1], wal.segments(), problems, prefixMissing);
    }

    /**
     * The storage's WAL as runs of segments per timeline. Where the storage can tell that a folder did not change
     * (a filesystem), an unchanged WAL folder is not listed again: the last listing is reused.
     */
    private WalSnapshot scanWal(String cluster, BackupStorage storage) throws IOException {
        String cacheKey = cluster + " " + storage.name();
        // Stamps are taken BEFORE listing: a change during the listing leaves a folder newer than its stamp.
        Map<String, String> stamps = storage.folderStamps(StorageLayout.WAL);
        WalSnapshot cached = walSnapshots.get(cacheKey);
        if (cached != null && !stamps.isEmpty() && stamps.equals(cached.stamps())) {
            return cached;
        }
        Map<Long, WalRanges.Builder> wal = new TreeMap<>();
        Map<Long, Boolean> histories = new TreeMap<>();
        try (Stream<ObjectInfo> objects = storage.list(StorageLayout.WAL)) {
            objects.forEach(o -> {
                var segment = StorageLayout.walSegmentOf(o.key());
                if (segment.isPresent()) {
                    wal.computeIfAbsent(segment.get().timeline(), t -> new WalRanges.Builder())
                            .add(segment.get().segmentName());
                    return;
                }
                StorageLayout.historyTimelineOf(o.key()).ifPresent(t -> histories.put(t, true));
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Map<String, CatalogEvent> entries = new LinkedHashMap<>();
        long segments = 0;
        java.util.Set<Long> timelines = new java.util.TreeSet<>(wal.keySet());
        timelines.addAll(histories.keySet());
        for (long t : timelines) {
            WalRanges.Builder b = wal.get(t);
            segments += b == null ? 0 : b.count();
            CatalogWal w = new CatalogWal(cluster, storage.name(), StorageLayout.timelineHex(t),
                    b == null ? List.of() : b.ranges(), b == null ? 0 : b.count(), histories.getOrDefault(t, false));
            entries.put(w.entryKey(), w);
        }
        WalSnapshot snapshot = new WalSnapshot(Map.copyOf(stamps), Map.copyOf(entries), segments);
        if (!stamps.isEmpty()) {
            walSnapshots.put(cacheKey, snapshot);
        }
        return snapshot;
    }

    private static final class BackupFolder {
        final String backupId;
        final Map<String, ObjectInfo> objects = new LinkedHashMap<>();

        BackupFolder(String backupId) {
            this.backupId = backupId;
        }
    }

    private void finish(String cluster, BackupStorage storage, BackupFolder folder, Map<String, CatalogEvent> entries,
                        List<String> problems, int[] counts) {
        CatalogBackup entry = evaluate(cluster, storage, folder, problems);
        if (entry == null) {
            return;
        }
        counts[0]++;
        if (!entry.complete()) {
            counts[1]++;
        }
        entries.put(entry.entryKey(), entry);
    }

    private CatalogBackup evaluate(String cluster, BackupStorage storage, BackupFolder folder, List<String> problems) {
        String id = folder.backupId;
        ObjectInfo manifestInfo = folder.objects.get(StorageLayout.MANIFEST);
        if (manifestInfo == null) {
            return incomplete(cluster, storage, id, "no " + StorageLayout.MANIFEST
                    + ": the backup was interrupted, or is still being written");
        }
        String stampKey = CatalogBackup.key(cluster, storage.name(), id);
        ManifestStamp stamp = manifests.get(stampKey);
        long modified = manifestInfo.lastModified() == null ? -1 : manifestInfo.lastModified().toEpochMilli();
        BackupManifest manifest;
        String manifestSha;
        if (stamp != null && stamp.size() == manifestInfo.size() && stamp.modifiedMillis() == modified
                && sameObjects(stamp.entry(), folder)) {
            return stamp.entry();
        }
        try {
            byte[] bytes = storage.readSmall(manifestInfo.key());
            manifestSha = sha256(bytes);
            manifest = BackupManifest.parse(bytes);
        } catch (IOException | RuntimeException e) {
            String reason = StorageLayout.MANIFEST + " does not parse: " + e.getMessage();
            problems.add("backup " + id + ": " + reason);
            return incomplete(cluster, storage, id, reason);
        }
        if (manifest.cluster() != null && !manifest.cluster().equals(cluster)) {
            problems.add("backup " + id + " belongs to cluster " + manifest.cluster() + ", not " + cluster
                    + ": not listed");
            return null;
        }
        List<String> wrong = new ArrayList<>();
        for (BackupManifest.StoredObject o : manifest.objects()) {
            ObjectInfo actual = folder.objects.get(o.name());
            if (actual == null) {
                wrong.add(o.name() + " is missing");
            } else if (actual.size() != o.sizeBytes()) {
                wrong.add(o.name() + " has " + actual.size() + " bytes, the manifest says " + o.sizeBytes());
            }
        }
        CatalogBackup entry = CatalogUpdates.listed(cluster, storage.name(), id, manifest, manifestSha, wrong);
        manifests.put(stampKey, new ManifestStamp(manifestInfo.size(), modified, entry));
        return entry;
    }

    /** A cached entry still holds when the objects its manifest lists are there with the same sizes. */
    private static boolean sameObjects(CatalogBackup cached, BackupFolder folder) {
        long total = 0;
        for (var o : folder.objects.entrySet()) {
            if (!o.getKey().equals(StorageLayout.MANIFEST)) {
                total += o.getValue().size();
            }
        }
        return cached.storedBytes() != null && cached.storedBytes() == total;
    }

    private static CatalogBackup incomplete(String cluster, BackupStorage storage, String id, String reason) {
        return new CatalogBackup(cluster, storage.name(), id, CatalogBackup.INCOMPLETE, reason, null, null, null, null,
                null, null, null, null);
    }

    /** The manifest checksum the catalog keeps, to tell a changed manifest from the same one. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
