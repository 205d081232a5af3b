package io.stowage.resync.it;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.bus.TransactionalPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.data.WalArchived;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import io.stowage.resync.scan.StorageFill;
import io.stowage.resync.scan.StorageScan;
import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.Storages;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * resync-service at three instances, with rebalances forced (an instance killed, one stopped, new ones joining)
 * under a stream of facts (archived WAL, completed backups) and resyncs: whichever instance handles a cluster
 * after a rebalance works from the catalog as it is, so the catalog ends equal to a fresh scan of the storages, and
 * each resync request is answered once.
 */
class ResyncScaleOutIT {
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final String SOURCE = "/stowage/test";
    static final int CLUSTERS_PER_PARTITION = 3;

    static Path work;
    static String bootstrap;
    static KafkaEventPublisher publisher;
    static BusReader reader;
    static final List<Envelope<?>> seen = new CopyOnWriteArrayList<>();
    static Thread collector;
    static volatile boolean collecting = true;
    static final List<ServiceProcess> instances = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("resync-scale-it");
        bootstrap = SharedKafka.bootstrapServers();
        publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "resync-scale-it");
        reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.RESYNC), false);
        reader.poll(Duration.ofSeconds(1));
        collector = new Thread(() -> {
            while (collecting) {
                reader.poll(Duration.ofMillis(200)).stream().filter(BusReader.Read::valid).map(BusReader.Read::event)
                        .forEach(seen::add);
            }
        });
        collector.start();
    }

    static ServiceProcess launch(String instance) throws Exception {
        ServiceProcess p = new ServiceProcess(JAR, Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "stowage.secrets-folder", work.toString(),
                "stowage.instance-id", instance), work.resolve(instance + ".log")).start();
        instances.add(p);
        return p;
    }

    @AfterAll
    static void stop() throws InterruptedException {
        instances.forEach(ServiceProcess::close);
        collecting = false;
        if (collector != null) {
            collector.join(5_000);
        }
        if (reader != null) {
            reader.close();
        }
        if (publisher != null) {
            publisher.close();
        }
    }

    @Test
    void threeInstancesUnderRebalances_endWithTheCatalogOfAFreshScan_andEachResyncAnsweredOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 6);
        List<String> clusters = clustersOnEveryPartition("scale-" + run);
        Map<String, StorageSpec> specs = new HashMap<>();
        for (String cluster : clusters) {
            StorageSpec spec = new StorageSpec(true, StorageType.FILESYSTEM, null,
                    new FilesystemSpec(work.resolve("fs").toString(), null));
            specs.put(cluster, spec);
            publishTopology(cluster, spec);
        }
        ServiceProcess first = launch("scale-a-" + run);
        ServiceProcess second = launch("scale-b-" + run);
        ServiceProcess third = launch("scale-c-" + run);

        List<Envelope<?>> resyncs = new ArrayList<>();
        Stream stream = new Stream(clusters, specs, resyncs);
        stream.runFor(Duration.ofSeconds(5));
        // Killed: its partitions move to the two older instances once its session times out (10 s), so they take
        // over clusters whose catalog changed since they read it.
        first.kill();
        stream.runFor(Duration.ofSeconds(20));
        launch("scale-d-" + run); // joins: partitions move to it
        stream.runFor(Duration.ofSeconds(10));
        second.stop();
        stream.runFor(Duration.ofSeconds(20));
        launch("scale-e-" + run);
        stream.runFor(Duration.ofSeconds(10));
        // The last one standing from the start killed, and facts alone from then on (a resync would mend a catalog
        // written from stale memory): its clusters go to instances that read their catalog a while ago.
        third.kill();
        stream.resyncing = false;
        stream.runFor(Duration.ofSeconds(20));

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            Map<String, CatalogEvent> catalog = catalog(run);
            Map<String, CatalogEvent> scanned = new TreeMap<>();
            for (String cluster : clusters) {
                try (BackupStorage s = open(cluster, specs.get(cluster))) {
                    scanned.putAll(new StorageScan().scan(cluster, s).entries());
                }
            }
            assertThat(summary(catalog)).as("the catalog against a fresh scan").isEqualTo(summary(scanned));
            assertThat(catalog).isEqualTo(scanned);
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(resyncs).allSatisfy(r ->
                assertThat(seen.stream().filter(e -> r.id().equals(e.causationId())
                        && (e.type() == EventType.RESYNC_COMPLETED || e.type() == EventType.RESYNC_FAILED)))
                        .as("the outcomes of resync request %s", r.id()).hasSize(1)));
    }

    /**
     * Facts for every cluster in rounds (a WAL segment each, a backup of one cluster every tenth round), and a resync
     * of one cluster every fifth round: written to the storage, then reported, as backup-service would.
     */
    static final class Stream {
        final List<String> clusters;
        final Map<String, StorageSpec> specs;
        final List<Envelope<?>> resyncs;
        boolean resyncing = true;
        int round;

        Stream(List<String> clusters, Map<String, StorageSpec> specs, List<Envelope<?>> resyncs) {
            this.clusters = clusters;
            this.specs = specs;
            this.resyncs = resyncs;
        }

        void runFor(Duration duration) throws Exception {
            long end = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < end) {
                round++;
                for (String cluster : clusters) {
                    archive(cluster, specs.get(cluster), round);
                }
                String one = clusters.get(round % clusters.size());
                if (round % 10 == 0) {
                    backup(one, specs.get(one), "b" + round);
                }
                if (resyncing && round % 5 == 0) {
                    resyncs.add(request(one));
                }
                Thread.sleep(150); // about 50 facts a second: what three instances handle with room to spare
            }
        }
    }

    /** Each entry in a few words: a WAL entry's ranges and count, a backup's status. */
    static Map<String, String> summary(Map<String, CatalogEvent> entries) {
        Map<String, String> out = new TreeMap<>();
        entries.forEach((key, e) -> out.put(key, e instanceof io.stowage.events.data.CatalogWal w
                ? w.ranges().stream().map(r -> r.first().substring(16) + ".." + r.last().substring(16)).toList()
                + " " + w.segments() : e instanceof io.stowage.events.data.CatalogBackup b ? b.status() : "?"));
        return out;
    }

    /** Cluster names that fall on every partition of the contract topics, {@link #CLUSTERS_PER_PARTITION} each. */
    static List<String> clustersOnEveryPartition(String prefix) {
        Map<Integer, List<String>> byPartition = new TreeMap<>();
        for (int i = 0; byPartition.size() < SharedKafka.PARTITIONS
                || byPartition.values().stream().anyMatch(l -> l.size() < CLUSTERS_PER_PARTITION); i++) {
            String name = prefix + "-" + i;
            List<String> on = byPartition.computeIfAbsent(BuiltInPartitioner.partitionForKey(
                    name.getBytes(StandardCharsets.UTF_8), SharedKafka.PARTITIONS), p -> new ArrayList<>());
            if (on.size() < CLUSTERS_PER_PARTITION) {
                on.add(name);
            }
        }
        return byPartition.values().stream().flatMap(List::stream).collect(Collectors.toList());
    }

    static void archive(String cluster, StorageSpec spec, int segment) throws Exception {
        String name = String.format("00000001%08X%08X", segment / 256, segment % 256);
        try (BackupStorage s = open(cluster, spec)) {
            StorageFill.segments(s, name);
        }
        publisher.publishAndWait(Envelope.root(SOURCE, new WalArchived(cluster, "local", "00000001", name, 64L,
                null)));
    }

    static void backup(String cluster, StorageSpec spec, String id) throws Exception {
        BackupManifest m;
        try (BackupStorage s = open(cluster, spec)) {
            m = StorageFill.backup(s, cluster, id, 100);
        }
        publisher.publishAndWait(Envelope.root(SOURCE, new BackupCompleted(cluster, id, List.of("local"),
                m.startLsn(), m.stopLsn(), m.timeline(), m.startTime(), m.stopTime(), m.tarBytes(), 100)));
    }

    static Envelope<?> request(String cluster) {
        Envelope<ResyncRequested> e = Envelope.root(SOURCE, new ResyncRequested(cluster, "local", null, "test"));
        publisher.publishAndWait(e);
        return e;
    }

    static void publishTopology(String cluster, StorageSpec local) {
        TopologyApplied t = new TopologyApplied(cluster, System.nanoTime(), "local", List.of(), new BackupConfigSpec(
                new PostgresSpec("127.0.0.1", 5432, "postgres", null, null, null, null), new PitrSpec(false),
                Map.of("local", local)), false, "test");
        try (TransactionalPublisher p = new TransactionalPublisher(KafkaConnection.to(bootstrap),
                "resync-scale-it-topology")) {
            p.publishAtomically(List.of(Envelope.root(SOURCE, t)), List.of());
        }
    }

    static BackupStorage open(String cluster, StorageSpec spec) {
        return Storages.open(cluster, "local", spec, (secret, key) -> {
            throw new IllegalStateException("a filesystem storage needs no secret");
        });
    }

    /** The catalog entries of this run's clusters, as anyone reads them: the compacted topic, folded by key. */
    static Map<String, CatalogEvent> catalog(String run) {
        Map<String, CatalogEvent> entries = new TreeMap<>();
        try (BusReader catalog = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.CATALOG), true)) {
            for (BusReader.Read r : catalog.readToEnd(Duration.ofSeconds(30))) {
                ConsumerRecord<String, byte[]> record = r.record();
                if (record.key() == null || !record.key().startsWith("scale-" + run + "-")) {
                    continue;
                }
                if (record.value() == null) {
                    entries.remove(record.key());
                } else if (r.valid() && r.event().data() instanceof CatalogEvent entry) {
                    entries.put(record.key(), entry);
                }
            }
        }
        return entries;
    }
}
