package io.stowage.backup.pipeline;

/** What a running backup tells the world; the messaging side turns it into events. */
public interface BackupListener {
    void started(BackupPlan plan);

    /** @param bytesPerSecond the read rate over the last interval */
    void progress(BackupPlan plan, long bytesDone, long bytesTotalEstimate, long bytesPerSecond);
}
