package io.stowage.events.data;

/** Events on {@code stowage.backup}: base backup requests and outcomes, and WAL archiving. */
public sealed interface BackupEvent extends StowageEvent permits BackupRequested, BackupStarted, BackupProgress,
        BackupCompleted, BackupFailed, BackupSkipped, BackupRemoved, BackupDeleteRequested, BackupDeleteFailed, WalArchived, WalLag, WalRemoved {
}
