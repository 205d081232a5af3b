package io.stowage.events;

import io.stowage.events.data.*;

import java.util.Arrays;
import java.util.Optional;

/** Every event type of the contract: its CloudEvents type, its topic and its data record. */
public enum EventType {
    STORAGE_CHANGED("io.stowage.storage.changed.v1", Topics.STORAGE, StorageChanged.class),
    CONFIG_REJECTED("io.stowage.config.rejected.v1", Topics.STORAGE, ConfigRejected.class),
    TOPOLOGY_APPLIED("io.stowage.topology.applied.v1", Topics.TOPOLOGY, TopologyApplied.class),
    BACKUP_REQUESTED("io.stowage.backup.requested.v1", Topics.BACKUP, BackupRequested.class),
    BACKUP_STARTED("io.stowage.backup.started.v1", Topics.BACKUP, BackupStarted.class),
    BACKUP_PROGRESS("io.stowage.backup.progress.v1", Topics.BACKUP, BackupProgress.class),
    BACKUP_COMPLETED("io.stowage.backup.completed.v1", Topics.BACKUP, BackupCompleted.class),
    BACKUP_FAILED("io.stowage.backup.failed.v1", Topics.BACKUP, BackupFailed.class),
    BACKUP_SKIPPED("io.stowage.backup.skipped.v1", Topics.BACKUP, BackupSkipped.class),
    BACKUP_REMOVED("io.stowage.backup.removed.v1", Topics.BACKUP, BackupRemoved.class),
    BACKUP_DELETE_REQUESTED("io.stowage.backup.delete.requested.v1", Topics.BACKUP, BackupDeleteRequested.class),
    BACKUP_DELETE_FAILED("io.stowage.backup.delete.failed.v1", Topics.BACKUP, BackupDeleteFailed.class),
    WAL_ARCHIVED("io.stowage.wal.archived.v1", Topics.BACKUP, WalArchived.class),
    WAL_LAG("io.stowage.wal.lag.v1", Topics.BACKUP, WalLag.class),
    WAL_REMOVED("io.stowage.wal.removed.v1", Topics.BACKUP, WalRemoved.class),
    RESTORE_REQUESTED("io.stowage.restore.requested.v1", Topics.RESTORE, RestoreRequested.class),
    RESTORE_STARTED("io.stowage.restore.started.v1", Topics.RESTORE, RestoreStarted.class),
    RESTORE_STEP("io.stowage.restore.step.v1", Topics.RESTORE, RestoreStep.class),
    RESTORE_PROGRESS("io.stowage.restore.progress.v1", Topics.RESTORE, RestoreProgress.class),
    RESTORE_COMPLETED("io.stowage.restore.completed.v1", Topics.RESTORE, RestoreCompleted.class),
    RESTORE_FAILED("io.stowage.restore.failed.v1", Topics.RESTORE, RestoreFailed.class),
    RESYNC_REQUESTED("io.stowage.resync.requested.v1", Topics.RESYNC, ResyncRequested.class),
    RESYNC_COMPLETED("io.stowage.resync.completed.v1", Topics.RESYNC, ResyncCompleted.class),
    RESYNC_FAILED("io.stowage.resync.failed.v1", Topics.RESYNC, ResyncFailed.class),
    RETENTION_REQUESTED("io.stowage.retention.requested.v1", Topics.RESYNC, RetentionRequested.class),
    RETENTION_COMPLETED("io.stowage.retention.completed.v1", Topics.RESYNC, RetentionCompleted.class),
    RETENTION_FAILED("io.stowage.retention.failed.v1", Topics.RESYNC, RetentionFailed.class),
    CATALOG_BACKUP("io.stowage.catalog.backup.v1", Topics.CATALOG, CatalogBackup.class),
    CATALOG_WAL("io.stowage.catalog.wal.v1", Topics.CATALOG, CatalogWal.class),
    EVENT_REJECTED("io.stowage.event.rejected.v1", Topics.REJECTED, EventRejected.class);

    private final String type;
    private final String topic;
    private final Class<? extends StowageEvent> dataClass;

    EventType(String type, String topic, Class<? extends StowageEvent> dataClass) {
        this.type = type;
        this.topic = topic;
        this.dataClass = dataClass;
    }

    /** The CloudEvents {@code type} attribute, e.g. {@code io.stowage.backup.requested.v1}. */
    public String type() {
        return type;
    }

    public String topic() {
        return topic;
    }

    public Class<? extends StowageEvent> dataClass() {
        return dataClass;
    }

    /** The classpath resource of this type's JSON Schema. */
    public String schemaResource() {
        return "/schemas/" + type + ".json";
    }

    public static Optional<EventType> ofType(String type) {
        return Arrays.stream(values()).filter(t -> t.type.equals(type)).findFirst();
    }

    public static EventType of(StowageEvent data) {
        return Arrays.stream(values()).filter(t -> t.dataClass == data.getClass()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not an event of the contract: " + data.getClass()));
    }
}
