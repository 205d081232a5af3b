package io.stowage.backup.messaging;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.stowage.backup.wal.ArchivingPauses;
import io.stowage.backup.wal.ClusterArchiver;
import io.stowage.backup.wal.WalArchivers;
import io.stowage.bus.EventPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.data.WalArchived;
import io.stowage.events.data.WalLag;

import java.time.Duration;

/** WAL archiving's reports on the bus ({@code wal.archived.v1}, {@code wal.lag.v1}, pause answers) and in metrics. */
public final class KafkaWalEvents implements ClusterArchiver.Listener, WalArchivers.Answers {
    private final EventPublisher publisher;
    private final String source;
    private final MeterRegistry metrics;

    public KafkaWalEvents(EventPublisher publisher, String source, MeterRegistry metrics) {
        this.publisher = publisher;
        this.source = source;
        this.metrics = metrics;
    }

    @Override
    public void archived(WalArchived archived, Duration latency) {
        publisher.publishAndWait(Envelope.root(source, archived));
        if (archived.segment().length() == 24) {
            DistributionSummary.builder("stowage.wal.archive.latency")
                    .description("From a WAL segment complete at Stowage to durable on the main storage")
                    .baseUnit("seconds").tag("cluster", archived.cluster())
                    .serviceLevelObjectives(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)
                    .register(metrics).record(latency.toNanos() / 1e9);
            metrics.counter("stowage.wal.archived.bytes", "cluster", archived.cluster()).increment(archived.sizeBytes());
        }
    }

    @Override
    public void lag(WalLag lag) {
        publisher.publishAndWait(Envelope.root(source, lag));
    }

    @Override
    public void answer(ArchivingPauses.Request request, RestoreStepName step, String detail) {
        publisher.publishAndWait(Envelope.causedBy(request.event(), source,
                new RestoreStep(request.cluster(), request.restoreId(), step, RestoreStepStatus.COMPLETED, detail)));
    }
}
