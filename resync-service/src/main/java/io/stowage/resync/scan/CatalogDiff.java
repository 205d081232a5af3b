package io.stowage.resync.scan;

import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a resync changes in the catalog of one storage: only the differences between what the scan found and what
 * the catalog holds (set difference by key, and by content: a changed manifest checksum, a backup that became
 * incomplete, more or less WAL). New and changed entries are written again; entries whose objects vanished get a
 * tombstone. A backup being removed ({@code EXPIRING}) stays so while any of its files is left.
 */
public record CatalogDiff(List<CatalogEvent> upserts, List<String> tombstones, int added, int removed) {

    public static CatalogDiff between(Map<String, CatalogEvent> current, Map<String, CatalogEvent> scanned) {
        List<CatalogEvent> upserts = new ArrayList<>();
        List<String> tombstones = new ArrayList<>();
        int added = 0;
        int removed = 0;
        for (var e : scanned.entrySet()) {
            CatalogEvent before = current.get(e.getKey());
            if (before instanceof CatalogBackup b && CatalogBackup.EXPIRING.equals(b.status())) {
                continue; // being removed: whatever is left of it stays unlisted until the removal is done
            }
            if (!e.getValue().equals(before)) {
                upserts.add(e.getValue());
                if (before == null && e.getValue() instanceof CatalogBackup) {
                    added++;
                }
            }
        }
        for (var e : current.entrySet()) {
            if (!scanned.containsKey(e.getKey())) {
                tombstones.add(e.getKey());
                if (e.getValue() instanceof CatalogBackup) {
                    removed++;
                }
            }
        }
        return new CatalogDiff(List.copyOf(upserts), List.copyOf(tombstones), added, removed);
    }

    public boolean empty() {
        return upserts.isEmpty() && tombstones.isEmpty();
    }
}
