package io.stowage.events.data;

import java.util.List;

/**
 * Asks for one base backup written to one or more storages.
 *
 * @param storages storage names; empty or absent means the main storage
 * @param backupId the idempotency key; absent means derived from the CloudEvents id
 */
public record BackupRequested(String cluster, List<String> storages, String backupId) implements BackupEvent {
}
