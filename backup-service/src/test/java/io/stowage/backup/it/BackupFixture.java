package io.stowage.backup.it;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.BusReader;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.TransactionalPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.S3ProxyServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.awaitility.Awaitility;

/** A cluster as config-service would publish it: a real PostgreSQL, a filesystem storage and an S3 storage. */
final class BackupFixture {
    static final String SOURCE = "/stowage/test";

    private BackupFixture() {
    }

    static void writeSecret(Path secrets, String name, String key, String value) throws IOException {
        Path dir = Files.createDirectories(secrets.resolve(name));
        Files.writeString(dir.resolve(key), value);
    }

    static StorageSpec s3(S3ProxyServer s3, String bucket, String caSecret) {
        return new StorageSpec(false, StorageType.S3, new S3Spec(bucket, s3.region(), s3.endpoint().toString(), null,
                true, "s3-creds", caSecret, null), null);
    }

    static StorageSpec filesystem(Path path) {
        return new StorageSpec(false, StorageType.FILESYSTEM, null, new FilesystemSpec(path.toString(), null));
    }

    /** Publishes the cluster's applied topology, as config-service does, with {@code main} as the main. */
    static void publishTopology(String bootstrap, String cluster, PostgresCluster pg, String main,
                                Map<String, StorageSpec> storages) {
        publishTopology(bootstrap, cluster, pg, main, storages, false, 1);
    }

    /** The same with PITR (WAL archiving) on or off, as revision {@code revision} of the cluster's topology. */
    static void publishTopology(String bootstrap, String cluster, PostgresCluster pg, String main,
                                Map<String, StorageSpec> storages, boolean pitr, long revision) {
        publishTopology(bootstrap, cluster, pg.host(), pg.port(), pg.binDirectory().toString(), main, storages, pitr,
                revision);
    }

    /** The same for a PostgreSQL at any address (one that does not answer, for instance). */
    static void publishTopology(String bootstrap, String cluster, String host, int port, String binDirectory,
                                String main, Map<String, StorageSpec> storages, boolean pitr, long revision) {
        publishTopology(bootstrap, cluster, host, port, binDirectory, main, storages, pitr, revision, List.of());
    }

    /** The same with backup schedules. */
    static void publishTopology(String bootstrap, String cluster, String host, int port, String binDirectory,
                                String main, Map<String, StorageSpec> storages, boolean pitr, long revision,
                                List<io.stowage.events.spec.ScheduleSpec> schedules) {
        Map<String, StorageSpec> resolved = new TreeMap<>();
        storages.forEach((n, s) -> resolved.put(n, s.withMain(n.equals(main))));
        List<String> profiles = resolved.keySet().stream().filter(n -> !n.equals(main)).toList();
        TopologyApplied t = new TopologyApplied(cluster, revision, main, profiles, new BackupConfigSpec(
                new PostgresSpec(host, port, "postgres", null, null, binDirectory, null),
                new PitrSpec(pitr), resolved, schedules), false, "test");
        try (TransactionalPublisher p = new TransactionalPublisher(KafkaConnection.to(bootstrap), "test-topology-" + cluster)) {
            p.publishAtomically(List.of(Envelope.root(SOURCE, t)), List.of());
        }
    }

    static Envelope<BackupRequested> request(EventPublisher publisher, String cluster, List<String> storages,
                                             String backupId) {
        Envelope<BackupRequested> e = Envelope.root(SOURCE, new BackupRequested(cluster, storages, backupId));
        publisher.publishAndWait(e);
        return e;
    }

    /** Reads {@code stowage.backup} from now and waits until the events of one correlation satisfy a condition. */
    static List<Envelope<?>> awaitEvents(BusReader reader, String correlationId, Duration timeout,
                                   Predicate<List<Envelope<?>>> done) {
        List<Envelope<?>> seen = new ArrayList<>();
        Awaitility.await().atMost(timeout).until(() -> {
            reader.poll(Duration.ofMillis(200)).stream().filter(BusReader.Read::valid).map(BusReader.Read::event)
                    .filter(e -> e.correlationId().equals(correlationId)).forEach(seen::add);
            return done.test(seen);
        });
        return seen;
    }
}
