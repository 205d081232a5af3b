package io.stowage.bus;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.CatalogWal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The catalog as a reader holds it (restore-service, config-service): every entry of the compacted {@code stowage.catalog} by its key, followed
 * as resync-service writes it. Only resync-service writes the catalog; this is a read-only fold.
 */
public final class CatalogView {
    private final ConcurrentSkipListMap<String, CatalogEvent> entries = new ConcurrentSkipListMap<>();

    public void put(CatalogEvent entry) {
        entries.put(entry.entryKey(), entry);
    }

    public void remove(String key) {
        entries.remove(key);
    }

    /** The backups the catalog knows on one storage of a cluster, complete or not. */
    public List<CatalogBackup> backups(String cluster, String storage) {
        List<CatalogBackup> out = new ArrayList<>();
        String prefix = cluster + " " + storage + " backup ";
        entries.subMap(prefix, prefix + Character.MAX_VALUE).values().forEach(e -> {
            if (e instanceof CatalogBackup b) {
                out.add(b);
            }
        });
        return out;
    }

    /** The WAL of a cluster on every storage, every timeline. */
    public List<CatalogWal> wal(String cluster) {
        List<CatalogWal> out = new ArrayList<>();
        String prefix = cluster + " ";
        entries.subMap(prefix, prefix + Character.MAX_VALUE).values().forEach(e -> {
            if (e instanceof CatalogWal w) {
                out.add(w);
            }
        });
        return out;
    }
}
