package io.stowage.config.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import io.stowage.bus.quarkus.IncomingEvents;
import io.stowage.config.ConfigService;
import io.stowage.config.kubernetes.BackupActivity;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.concurrent.CompletionStage;

/**
 * What config-service consumes from Kafka, as SmallRye channels, each handled in order on a worker thread and
 * acknowledged once applied: {@code topology-updates} ({@code stowage.topology}: revisions applied by another
 * instance), {@code restore-events} ({@code stowage.restore}: backupSources to place, restore ends to revert) and
 * {@code backup-events} ({@code stowage.backup}: completed and failed backups, for BackupConfig status and Events).
 * Bad input is nacked; the failure strategy answers it with {@code event.rejected.v1}.
 */
@ApplicationScoped
public class ConfigChannels {
    public static final String TOPOLOGY = "topology-updates";
    public static final String RESTORES = "restore-events";
    public static final String BACKUPS = "backup-events";

    private final ConfigService service;
    private final TopologyFollower topology;
    private final RestoreFollower restores;
    private final IncomingEvents events;
    private final BackupActivity backups;

    ConfigChannels(ConfigService service, TopologyFollower topology, RestoreFollower restores, IncomingEvents events,
                   BackupActivity backups) {
        this.service = service;
        this.topology = topology;
        this.restores = restores;
        this.events = events;
        this.backups = backups;
    }

    @Incoming(TOPOLOGY)
    @Blocking
    public CompletionStage<Void> topology(Message<byte[]> message) {
        // A tombstone is a removal this service made itself; replaying an old one must not forget a cluster that
        // came back: tombstones are acknowledged and nothing else.
        return events.handle(message, "apply", event -> {
            // The channel may deliver before startup has finished: nothing is taken before the topology is recovered.
            service.awaitRecovered();
            topology.handle(event);
        });
    }

    @Incoming(BACKUPS)
    @Blocking
    public CompletionStage<Void> backups(Message<byte[]> message) {
        return events.handle(message, "follow", event -> {
            // Behind the first apply: the Backup resources are listed by then, so an outcome finds its resource.
            service.awaitStarted();
            backups.handle(event);
        });
    }

    @Incoming(RESTORES)
    @Blocking
    public CompletionStage<Void> restores(Message<byte[]> message) {
        return events.handle(message, "apply", event -> {
            // A restore event queues behind the first apply of the config sources (under leader election, the
            // channel is paused until this replica leads).
            service.awaitStarted();
            restores.handle(event);
        });
    }
}
