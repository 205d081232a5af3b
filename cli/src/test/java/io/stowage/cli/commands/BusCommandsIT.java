package io.stowage.cli.commands;

import io.stowage.bus.KafkaEventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.TransactionalPublisher;
import io.stowage.cli.Cli;
import io.stowage.cli.Topologies;
import io.stowage.events.Envelope;
import io.stowage.events.data.EventRejected;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.spec.TopologyView;
import io.stowage.localstack.SharedKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code events tail}, {@code storage list} and {@code status} against a real broker, run in-process: a cluster's
 * first config, a main change fan-out and a new profile (each one transaction, as config-service writes them), a
 * rejection and an invalid record.
 */
class BusCommandsIT {
    private static final String SOURCE = "urn:stowage:cli-it";
    private static final String CLUSTER = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private static String bootstrap;
    private static Envelope<StorageChanged> mainChanged;

    @TempDir
    Path home;

    @BeforeAll
    static void publishAClustersHistory() throws Exception {
        bootstrap = SharedKafka.bootstrapServers();
        try (TransactionalPublisher tx = new TransactionalPublisher(KafkaConnection.to(bootstrap), "cli-it-" + CLUSTER)) {
            Envelope<StorageChanged> mainSet = Envelope.root(SOURCE, change(StorageChange.MAIN_SET, "a", null, "a", "b"));
            tx.publishAtomically(List.of(mainSet,
                    Envelope.causedBy(mainSet, SOURCE, change(StorageChange.PROFILE_ADDED, "b", null, "a", "b")),
                    Envelope.causedBy(mainSet, SOURCE, Topologies.applied(CLUSTER, 1, "a", List.of("b")))), List.of());

            mainChanged = Envelope.root(SOURCE, change(StorageChange.MAIN_CHANGED, "b", "a", "b", "a"));
            tx.publishAtomically(List.of(mainChanged,
                    Envelope.causedBy(mainChanged, SOURCE, new ResyncRequested(CLUSTER, "b", null, "main changed")),
                    Envelope.causedBy(mainChanged, SOURCE, change(StorageChange.PROFILE_REMOVED, "b", null, "b", "a")),
                    Envelope.causedBy(mainChanged, SOURCE, change(StorageChange.PROFILE_ADDED, "a", null, "b", "a")),
                    Envelope.causedBy(mainChanged, SOURCE, Topologies.applied(CLUSTER, 2, "b", List.of("a")))), List.of());

            Envelope<StorageChanged> profileAdded = Envelope.root(SOURCE,
                    change(StorageChange.PROFILE_ADDED, "c", null, "b", "a", "c"));
            tx.publishAtomically(List.of(profileAdded,
                    Envelope.causedBy(profileAdded, SOURCE, Topologies.applied(CLUSTER, 3, "b", List.of("a", "c")))),
                    List.of());
        }
        try (KafkaEventPublisher publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "cli-it")) {
            publisher.publishAndWait(Envelope.root(SOURCE, new EventRejected(CLUSTER, "stowage.backup", 0, 17,
                    "io.stowage.backup.requested.v1", "id-17", "backup-service", "data does not match the schema")));
        }
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            ProducerRecord<String, byte[]> invalid = new ProducerRecord<>("stowage.backup", CLUSTER,
                    "{\"cluster\":\"x\"}".getBytes(StandardCharsets.UTF_8));
            invalid.headers().add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8))
                    .add("ce_id", "bad-1".getBytes(StandardCharsets.UTF_8))
                    .add("ce_source", "urn:somebody".getBytes(StandardCharsets.UTF_8))
                    .add("ce_type", "io.stowage.backup.exploded.v1".getBytes(StandardCharsets.UTF_8));
            raw.send(invalid).get(30, TimeUnit.SECONDS);
        }
    }

    private static StorageChanged change(StorageChange change, String storage, String previousMain, String main,
                                         String... profiles) {
        return new StorageChanged(CLUSTER, change, storage, previousMain,
                new TopologyView(main, List.of(profiles), Map.of()), null);
    }

    @Test
    void tailFromTheBeginningShowsOneLinePerEventOfTheClusterInvalidOnesIncluded() {
        Cli.Result result = Cli.run("events", "tail", "--kafka", bootstrap, "--home", home.toString(),
                "--from-beginning", "--cluster", CLUSTER, "--limit", "9", "--timeout", "30s");

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> lines = result.lines();
        assertThat(lines).hasSize(9).allSatisfy(line -> assertThat(line)
                .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  \\S+ +" + CLUSTER + "  .+  corr=\\S+"));
        // One cluster's records on one topic keep their order.
        assertThat(lines).filteredOn(l -> l.contains("storage.changed")).extracting(BusCommandsIT::what)
                .containsExactly("MAIN_SET a", "PROFILE_ADDED b", "MAIN_CHANGED b (was a)", "PROFILE_REMOVED b",
                        "PROFILE_ADDED a", "PROFILE_ADDED c");
        String fanOutCorrelation = "corr=" + mainChanged.id().substring(0, 8);
        assertThat(lines).filteredOn(l -> l.endsWith(fanOutCorrelation)).extracting(BusCommandsIT::what)
                .containsExactlyInAnyOrder("MAIN_CHANGED b (was a)", "resync storage=b", "PROFILE_REMOVED b",
                        "PROFILE_ADDED a");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("event.rejected", "rejected stowage.backup-0@17 "
                + "(backup.requested) by backup-service: data does not match the schema"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("INVALID", "stowage.backup-",
                "(backup.exploded): unknown event type io.stowage.backup.exploded.v1"));
        assertThat(lines).noneMatch(l -> l.contains("topology.applied"));
    }

    @Test
    void withStateTheAppliedTopologiesAreShownToo() {
        Cli.Result result = Cli.run("events", "tail", "--kafka", bootstrap, "--from-beginning", "--cluster", CLUSTER,
                "--with-state", "--limit", "12", "--timeout", "30s");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lines()).filteredOn(l -> l.contains("topology.applied")).extracting(BusCommandsIT::what)
                .containsExactly("revision 1 main=a profiles=b", "revision 2 main=b profiles=a",
                        "revision 3 main=b profiles=a,c");
    }

    @Test
    void byTypeAndWithTooFewEventsInTimeItExitsNonZero() {
        Cli.Result result = Cli.run("events", "tail", "--kafka", bootstrap, "--from-beginning", "--cluster", CLUSTER,
                "--type", "rejected", "--limit", "2", "--timeout", "3s");

        assertThat(result.lines()).singleElement().asString().contains("event.rejected");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("only 1 of 2 events within PT3S");
    }

    @Test
    void withoutFromBeginningItFollowsNewEvents() throws Exception {
        String cluster = "it-follow-" + UUID.randomUUID().toString().substring(0, 8);
        CompletableFuture<Cli.Result> tail = CompletableFuture.supplyAsync(() -> Cli.run("events", "tail",
                "--kafka", bootstrap, "--cluster", cluster, "--limit", "1", "--timeout", "60s"));

        // The tail starts at "now" once it has connected; publish until it has seen one.
        try (KafkaEventPublisher publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "cli-it-follow")) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                publisher.publishAndWait(Envelope.root(SOURCE, new ResyncRequested(cluster, "b", null, "by hand")));
                return tail.isDone();
            });
        }

        Cli.Result result = tail.get();
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lines()).singleElement().asString()
                .contains("resync.requested", cluster, "resync storage=b");
    }

    @Test
    void storageListShowsMainThenProfilesWithLocationAndSinceWhichRevision() {
        Cli.Result result = Cli.run("storage", "list", "--kafka", bootstrap, "--cluster", CLUSTER);

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lines()).extracting(BusCommandsIT::columns).containsExactly(
                List.of("Cluster " + CLUSTER + ": revision 3, from .stowage/config/" + CLUSTER + ".yaml"),
                List.of("NAME", "ROLE", "TYPE", "LOCATION", "SINCE"),
                List.of("b", "main", "filesystem", "file:///srv/backups/b/stowage/" + CLUSTER, "revision 2"),
                List.of("a", "profile", "filesystem", "file:///srv/backups/a/stowage/" + CLUSTER, "revision 2"),
                List.of("c", "profile", "filesystem", "file:///srv/backups/c/stowage/" + CLUSTER, "revision 3"),
                List.of(""),
                List.of("No schedules: backups are taken when asked (spec.schedules adds some)."),
                List.of(""),
                List.of("Recoverable from each storage (stowage.catalog)"),
                List.of("STORAGE", "BACKUPS", "EARLIEST", "LATEST"),
                List.of("b", "0", "-", "-"),
                List.of("a", "0", "-", "-"),
                List.of("c", "0", "-", "-"));
    }

    @Test
    void aClientPropertiesFileReachesTheBrokerAsKafkasToolsDoAndKafkaReplacesItsAddress() throws Exception {
        Path reachable = Files.writeString(home.resolve("client.properties"),
                "bootstrap.servers=" + bootstrap + "\nsecurity.protocol=PLAINTEXT\nclient.dns.lookup=use_all_dns_ips\n");
        Path elsewhere = Files.writeString(home.resolve("elsewhere.properties"),
                "bootstrap.servers=127.0.0.1:1\nsecurity.protocol=PLAINTEXT\n");
        Cli.Result byAddress = Cli.run("storage", "list", "--kafka", bootstrap, "--cluster", CLUSTER);

        Cli.Result byFile = Cli.run("storage", "list", "--kafka-config", reachable.toString(), "--cluster", CLUSTER);
        Cli.Result overridden = Cli.run("storage", "list", "--kafka-config", elsewhere.toString(), "--kafka", bootstrap,
                "--cluster", CLUSTER);

        assertThat(byAddress.exitCode()).as(byAddress.err()).isZero();
        for (Cli.Result result : List.of(byFile, overridden)) {
            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(result.out()).isEqualTo(byAddress.out());
        }
    }

    @Test
    void storageListOfAnUnknownClusterFailsClearly() {
        Cli.Result result = Cli.run("storage", "list", "--kafka", bootstrap, "--cluster", "nobody-" + CLUSTER);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("stowage: cluster nobody-" + CLUSTER + " is unknown");
    }

    @Test
    void statusShowsTheAppliedTopologyAndTheNewestEventRejection() {
        Cli.Result result = Cli.run("status", "--kafka", bootstrap, "--home", home.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.lines()).contains("Kafka at " + bootstrap + " (PLAINTEXT): reachable");
        assertThat(result.lines()).extracting(BusCommandsIT::columns).contains(
                List.of(CLUSTER, "3", "main", "b", "file:///srv/backups/b/stowage/" + CLUSTER),
                List.of("profile", "a", "file:///srv/backups/a/stowage/" + CLUSTER),
                List.of("profile", "c", "file:///srv/backups/c/stowage/" + CLUSTER));
        assertThat(result.lines()).anySatisfy(l -> assertThat(l).startsWith("  event:  ")
                .contains(CLUSTER, "rejected stowage.backup-0@17"));
    }

    /** What an event line says, between the cluster and the correlation id. */
    private static String what(String line) {
        List<String> columns = columns(line);
        return columns.get(columns.size() - 2);
    }

    private static List<String> columns(String line) {
        return Arrays.stream(line.strip().split(" {2,}")).toList();
    }
}
