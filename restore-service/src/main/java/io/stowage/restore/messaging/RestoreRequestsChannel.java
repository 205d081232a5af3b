package io.stowage.restore.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import io.stowage.bus.ClusterWork;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.RequestTrail;
import io.stowage.bus.quarkus.LongRequests;
import io.stowage.bus.quarkus.TraceContext;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.data.RestoreRequested;
import io.stowage.restore.RestoreService;
import io.stowage.restore.service.RestoreSaga;
import io.stowage.restore.settings.RestoreServiceSettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.concurrent.CompletionStage;

/**
 * The {@code restore-requests} channel ({@code stowage.restore}, group {@code stowage-restore-service}): each
 * {@code restore.requested.v1} runs off the channel's stream, one restore at a time per cluster, several clusters at
 * once ({@code stowage.restore.max-concurrent}), once across instances (its heartbeats, {@code restore.progress.v1},
 * tell another instance it runs); its offset is committed once its outcome is published. The topic's other events
 * are acknowledged as they pass; bad input is nacked, and the failure strategy answers it with
 * {@code event.rejected.v1}.
 */
@ApplicationScoped
@Identifier(RestoreRequestsChannel.CHANNEL)
public class RestoreRequestsChannel implements KafkaConsumerRebalanceListener {
    public static final String CHANNEL = "restore-requests";
    private static final RequestTrail.Kinds KINDS = new RequestTrail.Kinds(
            Set.of(EventType.RESTORE_COMPLETED, EventType.RESTORE_FAILED),
            Set.of(EventType.RESTORE_STARTED, EventType.RESTORE_STEP, EventType.RESTORE_PROGRESS));

    private final RestoreService service;
    private final RestoreSaga saga;
    private final LongRequests requests;
    private final Predicate<String> serves;

    RestoreRequestsChannel(RestoreService service, RestoreSaga saga, KafkaConnection kafka,
                           RestoreServiceSettings settings, TraceContext traces) {
        this.service = service;
        this.saga = saga;
        this.serves = ServedClusters.of(settings.restore().serves().orElse(List.of("*")));
        this.requests = new LongRequests(new ClusterWork("restore", settings.restore().maxConcurrent()),
                new RequestTrail(kafka), KINDS, new LongRequests.Lease(settings.restore().lease(), Duration.ofSeconds(5)),
                traces);
    }

    @Incoming(CHANNEL)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        // The restores' own events pass, acknowledged: RestoreLog follows them.
        return requests.consume(message, RestoreRequested.class, r -> serves.test(r.data().cluster()), this::restore);
    }

    /**
     * Runs a requested restore to its outcome, once this service has read the topology, the catalog and the restore
     * history (the channel may deliver before startup has finished).
     *
     * @throws IllegalStateException when this instance stopped during the restore: the request is left to the next
     *                               owner of its partition, whose run skips the steps this one did
     */
    private void restore(Envelope<RestoreRequested> request) {
        service.awaitStarted();
        try {
            saga.handle(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("restore of " + request.data().cluster() + " interrupted", e);
        }
        if (service.stopping()) {
            throw new IllegalStateException("restore of " + request.data().cluster() + " cut short by a shutdown");
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        requests.revoked(partitions);
    }

    /**
     * Interrupts the running restores. RestoreService set its stopping flag before (on ShutdownEvent, fired before
     * any bean is destroyed), so {@link #restore} leaves their requests unacknowledged.
     */
    @PreDestroy
    void close() {
        requests.close();
    }
}
