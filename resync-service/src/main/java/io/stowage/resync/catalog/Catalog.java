package io.stowage.resync.catalog;

import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.CatalogWal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The catalog as this service holds it: every entry of {@code stowage.catalog} by its key. It is a fold over the
 * topic (read whole at start, so a restarted service serves the same catalog without a rescan), kept current by
 * this service's own writes.
 */
public final class Catalog {
    private final ConcurrentSkipListMap<String, CatalogEvent> entries = new ConcurrentSkipListMap<>();

    public void put(CatalogEvent entry) {
        entries.put(entry.entryKey(), entry);
    }

    public void remove(String key) {
        entries.remove(key);
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
