package io.stowage.events.data;

import java.time.OffsetDateTime;

/**
 * One WAL segment (or timeline history file) durable on a storage: the main storage at the time it was archived.
 *
 * @param timeline    8 hex digits
 * @param segment     the segment's file name, e.g. {@code 000000010000000000000003}
 * @param storedBytes the size of the compressed object on the storage, when known
 * @param receivedAt  when the file was complete at Stowage (its last byte received from PostgreSQL), when known
 */
public record WalArchived(
        String cluster,
        String storage,
        String timeline,
        String segment,
        long sizeBytes,
        String sha256,
        Long storedBytes,
        OffsetDateTime receivedAt) implements BackupEvent {

    /** A file whose compressed size and arrival are not recorded. */
    public WalArchived(String cluster, String storage, String timeline, String segment, long sizeBytes, String sha256) {
        this(cluster, storage, timeline, segment, sizeBytes, sha256, null, null);
    }
}
