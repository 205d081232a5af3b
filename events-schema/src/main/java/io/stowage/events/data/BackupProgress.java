package io.stowage.events.data;

/**
 * How far a running base backup is.
 *
 * @param bytesDone           bytes read from the database so far
 * @param bytesTotalEstimate  the database's estimated size, when known
 * @param bytesPerSecond      the recent read rate
 */
public record BackupProgress(
        String cluster,
        String backupId,
        long bytesDone,
        Long bytesTotalEstimate,
        Long bytesPerSecond) implements BackupEvent {
}
