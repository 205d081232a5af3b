package io.stowage.events.data;

/**
 * One WAL segment (or timeline history file) durable on a storage.
 *
 * @param timeline 8 hex digits
 * @param segment  the segment's file name, e.g. {@code 000000010000000000000003}
 */
public record WalArchived(
        String cluster,
        String storage,
        String timeline,
        String segment,
        long sizeBytes,
        String sha256) implements BackupEvent {
}
