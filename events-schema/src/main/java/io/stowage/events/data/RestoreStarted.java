package io.stowage.events.data;

/** A restore passed its checks and its steps begin. */
public record RestoreStarted(String cluster, String restoreId, String backupId, String storage)
        implements RestoreEvent {
}
