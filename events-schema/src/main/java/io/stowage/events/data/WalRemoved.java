package io.stowage.events.data;

/**
 * A run of consecutive WAL segments of one timeline was removed from one storage, both ends included: no backup kept
 * on any of the cluster's storages needs it for point-in-time recovery. Published by resync-service, in the
 * transaction that shrinks the catalog's WAL entry.
 *
 * @param trigger {@code retention} or {@code request}, as in {@link BackupRemoved}
 * @param reason  why, for people: the oldest backup kept, whose start the WAL is kept from
 */
public record WalRemoved(String cluster, String storage, String timeline, String first, String last, long segments,
                         String trigger, String reason) implements BackupEvent {
}
