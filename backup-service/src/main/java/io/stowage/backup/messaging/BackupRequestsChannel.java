package io.stowage.backup.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import io.stowage.backup.BackupService;
import io.stowage.backup.settings.BackupServiceSettings;
import io.stowage.bus.ClusterWork;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.RequestTrail;
import io.stowage.bus.quarkus.LongRequests;
import io.stowage.bus.quarkus.TraceContext;
import io.stowage.events.EventType;
import io.stowage.events.data.BackupRequested;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The {@code backup-requests} channel ({@code stowage.backup}, group {@code stowage-backup-service}): each
 * {@code backup.requested.v1} runs off the channel's stream, one backup at a time per cluster, several clusters at
 * once ({@code stowage.backup.max-concurrent}), once across instances; its offset is committed once its outcome is
 * published. The topic's other events (this service's own outcomes, progress, archived WAL) are acknowledged as
 * they pass; bad input is nacked, and the failure strategy answers it with {@code event.rejected.v1}.
 */
@ApplicationScoped
@Identifier(BackupRequestsChannel.CHANNEL)
public class BackupRequestsChannel implements KafkaConsumerRebalanceListener {
    public static final String CHANNEL = "backup-requests";
    private static final RequestTrail.Kinds KINDS = new RequestTrail.Kinds(
            Set.of(EventType.BACKUP_COMPLETED, EventType.BACKUP_FAILED),
            Set.of(EventType.BACKUP_STARTED, EventType.BACKUP_PROGRESS));

    private final BackupService service;
    private final BackupRequestHandler backups;
    private final LongRequests requests;

    BackupRequestsChannel(BackupService service, BackupRequestHandler backups, KafkaConnection kafka,
                          BackupServiceSettings settings, TraceContext traces) {
        this.service = service;
        this.backups = backups;
        this.requests = new LongRequests(new ClusterWork("backup", settings.backup().maxConcurrent()),
                new RequestTrail(kafka), KINDS, new LongRequests.Lease(settings.backup().lease(), Duration.ofSeconds(5)),
                traces);
    }

    @Incoming(CHANNEL)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        // The topic also carries outcomes, progress and archived WAL: they pass, acknowledged.
        return requests.consume(message, BackupRequested.class, request -> {
            // The channel may deliver before startup has finished: no backup is decided on a topology not yet read.
            service.awaitStarted();
            backups.handle(request);
        });
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        requests.revoked(partitions);
    }

    /**
     * Interrupts the running backups. BackupService set its stopping flag before (on ShutdownEvent, fired before any
     * bean is destroyed), so their handler publishes no outcome for them.
     */
    @PreDestroy
    void close() {
        requests.close();
    }
}
