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


    public Optional<CatalogWal> wal(String cluster, String storage, String timeline) {
        return Optional.ofNullable(entries.get(CatalogWal.key(cluster, storage, timeline)))
                .filter(e -> e instanceof CatalogWal).map(e -> (CatalogWal) e);
    }
}
