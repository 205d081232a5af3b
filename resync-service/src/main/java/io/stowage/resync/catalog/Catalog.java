package io.stowage.resync.catalog;

import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.CatalogWal;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;

/**
 * The catalog as this service holds it: every entry of {@code stowage.catalog} by its key. It is a fold over the
 * topic, which this service follows as long as it runs (read whole at start, so a restarted service serves the same
 * catalog without a rescan; then what the other instances write), and this instance's own writes go in at once.
 * <p>
 * The two sources meet by offset: an entry this instance wrote is kept until the follower reads that very record (or
 * a later one of the same key), so a follower that lags behind never puts back an older value over a newer one.
 */
public final class Catalog {
    private final ConcurrentSkipListMap<String, CatalogEvent> entries = new ConcurrentSkipListMap<>();
    /** Per key, the offset of this instance's write the follower has not read yet. */
    private final Map<String, Long> unread = new HashMap<>();
    /** Per partition of the topic, the offset after the last record the follower read. */
    private final Map<Integer, Long> followed = new HashMap<>();

    /** An entry written or read without an offset (tests of the logic alone): it simply replaces. */
    public void put(CatalogEvent entry) {
        entries.put(entry.entryKey(), entry);
    }

    public void remove(String key) {
        entries.remove(key);
    }

    /**
     * A record the follower read: applied unless this instance wrote a newer value of its key.
     *
     * @param entry the entry, or null for a tombstone (or a record that is not a valid entry: it removes nothing)
     */
    public void followed(int partition, long offset, String key, CatalogEvent entry, boolean tombstone) {
        followed(partition, offset, key, () -> entry, tombstone);
    }

    /**
     * As {@link #followed(int, long, String, CatalogEvent, boolean)}, the entry read only when it is applied: this
     * instance's own writes, read back, are not parsed again (most of what one instance follows, when it holds
     * every cluster).
     */
    public synchronized void followed(int partition, long offset, String key, Supplier<CatalogEvent> entry,
                                      boolean tombstone) {
        followed.merge(partition, offset + 1, Math::max);
        Long mine = unread.get(key);
        if (mine != null && mine > offset) {
            return;
        }
        unread.remove(key);
        if (mine != null && mine == offset) {
            return; // this instance's own record: memory holds it already
        }
        if (tombstone) {
            entries.remove(key);
        } else {
            CatalogEvent e = entry.get();
            if (e != null) {
                entries.put(key, e);
            }
        }
    }

    /**
     * A record this instance wrote, once committed: applied unless the follower has read past it already (then it
     * holds this value, or a newer one).
     *
     * @param entry the entry, or null for a tombstone
     */
    public synchronized void wrote(int partition, long offset, String key, CatalogEvent entry) {
        if (offset < followed.getOrDefault(partition, 0L)) {
            return;
        }
        unread.put(key, offset);
        if (entry == null) {
            entries.remove(key);
        } else {
            entries.put(key, entry);
        }
    }


    public int size() {
        return entries.size();
    }

    /** Every entry of one storage of one cluster, by key. */
    public Map<String, CatalogEvent> ofStorage(String cluster, String storage) {
        String prefix = cluster + " " + storage + " ";
        return Map.copyOf(entries.subMap(prefix, prefix + Character.MAX_VALUE));
    }


    /** Every entry of one cluster, every storage. */
    public java.util.List<CatalogEvent> ofCluster(String cluster) {
        String prefix = cluster + " ";
        return java.util.List.copyOf(entries.subMap(prefix, prefix + Character.MAX_VALUE).values());
    }

    /** The clusters with a backup being removed ({@code EXPIRING}). */
    public java.util.Set<String> clustersWithBackupsExpiring() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        entries.values().forEach(e -> {
            if (e instanceof io.stowage.events.data.CatalogBackup b
                    && io.stowage.events.data.CatalogBackup.EXPIRING.equals(b.status())) {
                out.add(b.cluster());
            }
        });
        return out;
    }

    public Optional<CatalogEvent> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    public Optional<CatalogWal> wal(String cluster, String storage, String timeline) {
        return Optional.ofNullable(entries.get(CatalogWal.key(cluster, storage, timeline)))
                .filter(e -> e instanceof CatalogWal).map(e -> (CatalogWal) e);
    }
}
