package io.stowage.resync.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.RequestTrail;
import io.stowage.bus.quarkus.IncomingEvents;
import io.stowage.bus.quarkus.IncomingRecords;
import io.stowage.events.Envelope;
import io.stowage.bus.RejectedEventException;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupDeleteFailed;
import io.stowage.events.data.BackupDeleteRequested;
import io.stowage.events.data.BackupRemoved;
import io.stowage.events.data.ResyncCompleted;
import io.stowage.events.data.ResyncFailed;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.RetentionCompleted;
import io.stowage.events.data.RetentionFailed;
import io.stowage.events.data.RetentionRequested;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.WalArchived;
import io.stowage.resync.ResyncService;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * The {@code resync-inputs} channel (group {@code stowage-resync-service}): resync requests from
 * {@code stowage.resync}, completed backups and archived WAL from {@code stowage.backup}, added profiles from
 * {@code stowage.storage}, handled one at a time in order (each is quick: a catalog write, or a resync queued).
 * A record is acknowledged once its effect is on the bus (a resync answered, a fact in the catalog); bad input is
 * nacked, and the failure strategy answers it with {@code event.rejected.v1}.
 */
@ApplicationScoped
public class ResyncInputsChannel {
    public static final String CHANNEL = "resync-inputs";

    private final ResyncService service;
    private final ResyncEventHandler handler;
    private final IncomingEvents events;
    private final RequestTrail trail;
    private final ClusterHolding holding;

    ResyncInputsChannel(ResyncService service, ResyncEventHandler handler, IncomingEvents events,
                        KafkaConnection kafka, ClusterHolding holding) {
        this.holding = holding;
        this.service = service;
        this.handler = handler;
        this.events = events;
        this.trail = new RequestTrail(kafka);
    }

    /**
     * The storages a request was answered for already, from its outcomes after it on its partition: a resync's
     * storages, a delete's storages removed from; {@code "-"} when it was answered whole (a retention outcome, a
     * refused delete).
     */
    private Set<String> answeredStorages(Message<byte[]> message, Envelope<StowageEvent> request) {
        ConsumerRecord<String, byte[]> record = IncomingRecords.of(message);
        return trail.after(new TopicPartition(record.topic(), record.partition()), record.offset(), request.id(),
                        Duration.ofSeconds(30)).stream().map(Envelope::data)
                .map(d -> d instanceof ResyncCompleted c ? c.storage() : d instanceof ResyncFailed f ? f.storage()
                        : d instanceof BackupRemoved r ? r.storage()
                        : d instanceof RetentionCompleted || d instanceof RetentionFailed
                        || d instanceof BackupDeleteFailed ? "-" : null)
                .filter(Objects::nonNull).collect(Collectors.toSet());
    }

    /**
     * A record this service acts on must be keyed by its cluster: the partition decides which instance holds the
     * cluster, and a record that strays to another partition would be handled beside, or never by, that instance.
     */
    private static void requireKeyedByCluster(Message<byte[]> message, Envelope<StowageEvent> event)
            throws RejectedEventException {
        StowageEvent data = event.data();
        boolean acted = data instanceof ResyncRequested || data instanceof RetentionRequested
                || data instanceof BackupDeleteRequested || data instanceof BackupCompleted
                || data instanceof WalArchived || data instanceof StorageChanged;
        String key = IncomingRecords.of(message).key();
        if (acted && !Objects.equals(key, event.subject())) {
            throw new RejectedEventException("the record's key is " + (key == null ? "missing" : "'" + key + "'")
                    + ": a " + event.type().type() + " must be keyed by its cluster ('" + event.subject()
                    + "'), the instance that holds the cluster handles it");
        }
    }

    @Incoming(CHANNEL)
    @Blocking
    public CompletionStage<Void> consume(Message<byte[]> message) {
        // Acknowledged once settled: a resync's outcome published, a fact written (maybe after its storage's
        // resync), so a kill loses neither; the throttled strategy commits no offset past it meanwhile.
        return events.handleSettlingLater(message, "handle", (event, settled) -> {
            // The channel may deliver before startup has finished: nothing is handled before the state is read.
            service.awaitStarted();
            try {
                // Clusters just taken over are handled once the catalog holds what their last holder wrote.
                holding.awaitCaughtUp();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the catalog caught up", e);
            }
            requireKeyedByCluster(message, event);
            if (event.data() instanceof ResyncRequested) {
                // Delivered again after a kill between its outcomes and the commit: storages answered already are
                // not resynced, nor answered, twice.
                handler.handle(event, settled, answeredStorages(message, event));
            } else if (event.data() instanceof RetentionRequested || event.data() instanceof BackupDeleteRequested) {
                // The same for a retention or delete request: answered already, it is not answered twice; a
                // delete cut short goes on with the storages it has not removed the backup from.
                handler.handle(event, settled, answeredStorages(message, event));
            } else {
                handler.handle(event, settled);
            }
        });
    }
}
