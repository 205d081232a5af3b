package io.stowage.cli.bus;

import io.stowage.bus.KafkaConnection;
import io.stowage.events.Topics;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.CatalogWal;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The catalog of one cluster as the compacted {@code stowage.catalog} holds it: entries by key, tombstones applied. */
public record CatalogRead(Map<String, CatalogEvent> entries) {

    public static CatalogRead of(KafkaConnection kafka, String cluster) {
        Map<String, CatalogEvent> entries = new TreeMap<>();
        String prefix = cluster + " ";
        TopicScan.scan(kafka, Topics.CATALOG, TopicScan.DEFAULT_TIMEOUT, read -> {
            String key = read.record().key();
            if (key == null || !key.startsWith(prefix)) {
                return;
            }
            if (read.record().value() == null) {
                entries.remove(key);
            } else if (read.valid() && read.event().data() instanceof CatalogEvent entry) {
                entries.put(key, entry);
            }
        });
        return new CatalogRead(entries);
    }

    /** Backups, newest first, then by storage. */
    public List<CatalogBackup> backups() {
        return entries.values().stream().filter(e -> e instanceof CatalogBackup).map(e -> (CatalogBackup) e)
                .sorted(Comparator.comparing((CatalogBackup b) -> b.stopTime() == null ? "" : b.stopTime().toString())
                        .reversed().thenComparing(CatalogBackup::backupId).thenComparing(CatalogBackup::storage))
                .toList();
    }

    public List<CatalogWal> wal() {
        return entries.values().stream().filter(e -> e instanceof CatalogWal).map(e -> (CatalogWal) e).toList();
    }

}
