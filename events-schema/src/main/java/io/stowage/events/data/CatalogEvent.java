package io.stowage.events.data;

/**
 * Records on the compacted {@code stowage.catalog}: what is restorable where. resync-service is their only writer;
 * each record's key names its entry ({@code <cluster> <storage> backup <backupId>} or
 * {@code <cluster> <storage> wal <timeline>}), and a tombstone removes it.
 */
public sealed interface CatalogEvent extends StowageEvent permits CatalogBackup, CatalogWal {

    /** The record key of this entry: cluster, storage, kind and id, separated by spaces (which no name contains). */
    String entryKey();
}
