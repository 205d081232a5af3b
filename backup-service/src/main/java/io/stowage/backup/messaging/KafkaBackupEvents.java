package io.stowage.backup.messaging;

import io.stowage.backup.pipeline.BackupListener;
import io.stowage.backup.pipeline.BackupPlan;
import io.stowage.bus.EventPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.data.BackupProgress;
import io.stowage.events.data.BackupStarted;

import java.util.List;

/** A running backup's events, each caused by its request and in the request's correlation. */
final class KafkaBackupEvents implements BackupListener {
    private final EventPublisher publisher;
    private final Envelope<?> request;
    private final String source;

    KafkaBackupEvents(EventPublisher publisher, Envelope<?> request, String source) {
        this.publisher = publisher;
        this.request = request;
        this.source = source;
    }

    @Override
    public void started(BackupPlan plan) {
        publisher.publishAndWait(Envelope.causedBy(request, source,
                new BackupStarted(plan.cluster(), plan.backupId(), List.copyOf(plan.storages().keySet()))));
    }

    @Override
    public void progress(BackupPlan plan, long bytesDone, long bytesTotalEstimate, long bytesPerSecond) {
        // Fire and forget: progress must never slow the backup down.
        publisher.publish(Envelope.causedBy(request, source,
                new BackupProgress(plan.cluster(), plan.backupId(), bytesDone, bytesTotalEstimate, bytesPerSecond)));
    }
}
