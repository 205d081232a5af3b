package io.stowage.events.data;

/**
 * A restore finished: the cluster runs on the new data directory; the old one is kept.
 */
public record RestoreCompleted(
        String cluster,
        String restoreId,
        String backupId,
        String storage,
        String dataDirectory,
        String previousDataDirectory) implements RestoreEvent {
}
