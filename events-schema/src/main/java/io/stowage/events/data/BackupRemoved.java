package io.stowage.events.data;

/**
 * A backup was removed from one storage: its manifest first, then its files. Published by resync-service, in the
 * transaction that takes the backup out of the catalog.
 *
 * @param trigger {@code retention} (the storage's retention) or {@code request} (a delete request)
 * @param reason  why this backup, for people: the rule that removed it, or the request
 * @param objects how many objects (files) were removed with it
 */
public record BackupRemoved(String cluster, String storage, String backupId, String trigger, String reason,
                            long objects) implements BackupEvent {
    public static final String RETENTION = "retention";
    public static final String REQUEST = "request";
}
