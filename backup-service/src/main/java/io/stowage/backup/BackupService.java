package io.stowage.backup;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.stowage.backup.messaging.BackupRequestHandler;
import io.stowage.backup.pipeline.BaseBackupRun;
import io.stowage.backup.settings.BackupServiceSettings;
import io.stowage.backup.topology.ClusterTopologies;
import io.stowage.bus.EventConsumerLoop;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.StateFollower;
import io.stowage.events.Topics;
import io.stowage.storage.SecretsFolder;
import io.stowage.storage.StorageTuning;
import io.stowage.storage.Storages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * backup-service's life: follow the topology, then take the base backups requested on {@code stowage.backup}, one
 * at a time per instance (a cluster's requests all land on one instance: they are keyed by cluster).
 */
@ApplicationScoped
public class BackupService {
    private static final Logger LOG = Logger.getLogger(BackupService.class);
    static final String SOURCE = "/stowage/backup-service";
    static final String CONSUMER = "stowage-backup-service";

    private final BackupServiceSettings settings;
    private final String bootstrapServers;
    private final ClusterTopologies topologies = new ClusterTopologies();
    private volatile boolean ready;
    private StateFollower follower;
    private EventPublisher events;
    private EventConsumerLoop requests;

    BackupService(BackupServiceSettings settings, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.settings = settings;
        this.bootstrapServers = bootstrapServers;
    }

    void onStart(@Observes StartupEvent start) throws InterruptedException {
        follower = new StateFollower(bootstrapServers, Topics.TOPOLOGY, topologies::apply).start();
        if (!follower.awaitCaughtUp(Duration.ofSeconds(60))) {
            throw new IllegalStateException("could not read " + Topics.TOPOLOGY + " within 60 s");
        }
        LOG.infof("following the topology of %d cluster(s)", topologies.size());
        events = new EventPublisher(bootstrapServers, "stowage-backup-service-" + settings.instanceId());
        SecretsFolder secrets = new SecretsFolder(settings.secretsFolder().toAbsolutePath());
        BaseBackupRun run = new BaseBackupRun(new BaseBackupRun.Settings(settings.backup().zstdLevel(),
                settings.backup().zstdWorkers(), settings.backup().progressInterval(),
                settings.backup().maxRate().orElse(null)));
        StorageTuning tuning = StorageTuning.DEFAULTS.withPartSize(settings.storage().partSizeMib() << 20)
                .withParallelism(settings.storage().parallelParts());
        BackupRequestHandler handler = new BackupRequestHandler(topologies,
                () -> follower.awaitCurrent(Duration.ofSeconds(10)),
                (cluster, name, spec) -> Storages.open(cluster, name, spec, secrets, tuning), secrets, run, events, SOURCE);
        // A request is handled to its end before the next poll: the offset is committed after the outcome is
        // published (at-least-once), so the poll interval must allow for the longest backup.
        requests = new EventConsumerLoop(bootstrapServers, CONSUMER, List.of(Topics.BACKUP), handler, events, SOURCE,
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1,
                        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE,
                                settings.backup().maxDuration().toMillis()))).start();
        ready = true;
    }

    public boolean ready() {
        return ready;
    }

    void onStop(@Observes ShutdownEvent stop) {
        if (requests != null) {
            requests.close();
        }
        if (follower != null) {
            follower.close();
        }
        if (events != null) {
            events.close();
        }
    }
}
