package io.stowage.config.it;

import io.stowage.bus.BusReader;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.ConfigRejected;
import io.stowage.events.data.EventRejected;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.TopologyApplied;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged config-service against a real Kafka broker: a user edits files, the bus shows the outcome. */
class ConfigServiceIT {
    static String bootstrap;
    static Path folder;
    static ServiceProcess service;

    @BeforeAll
    static void start() throws IOException {
        bootstrap = SharedKafka.bootstrapServers();
        Path dir = Files.createTempDirectory("config-service-it");
        folder = Files.createDirectories(dir.resolve("config"));
        service = ConfigServiceProcess.start(bootstrap, folder, dir.resolve("config-service.log"), "it-" + UUID.randomUUID());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void switchingTheMainYieldsExactlyTheFourFanOutEventsInOneTransaction() throws IOException {
        String cluster = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        try (BusWatch bus = new BusWatch(bootstrap, cluster)) {
            save(cluster + ".yaml", config(cluster, "a"));
            bus.awaitUntil(seen -> topology(seen) != null && topology(seen).revision() == 1);
            bus.forget();

            save(cluster + ".yaml", config(cluster, "b"));
            List<BusReader.Read> seen = bus.awaitUntil(s -> topology(s) != null && topology(s).revision() == 2);
            seen = bus.toEnd();

            List<Envelope<?>> fanOut = seen.stream().filter(BusReader.Read::valid).<Envelope<?>>map(BusReader.Read::event)
                    .filter(e -> e.type() != EventType.TOPOLOGY_APPLIED).toList();
            assertThat(fanOut).extracting(ConfigServiceIT::line).containsExactlyInAnyOrder(
                    "MAIN_CHANGED b (was a)", "resync b", "PROFILE_REMOVED b", "PROFILE_ADDED a");
            // Per topic the order is the contract's: the storage events share one partition (keyed by cluster).
            assertThat(fanOut).filteredOn(e -> e.type() == EventType.STORAGE_CHANGED).extracting(ConfigServiceIT::line)
                    .containsExactly("MAIN_CHANGED b (was a)", "PROFILE_REMOVED b", "PROFILE_ADDED a");
            Envelope<?> root = fanOut.stream().filter(e -> line(e).startsWith("MAIN_CHANGED")).findFirst().orElseThrow();
            assertThat(root.causationId()).isNull();
            assertThat(seen).allSatisfy(r -> {
                assertThat(r.valid()).isTrue();
                assertThat(r.event().correlationId()).isEqualTo(root.id());
                if (r.event() != root) {
                    assertThat(r.event().causationId()).isEqualTo(root.id());
                }
                assertThat(r.record().key()).isEqualTo(cluster);
            });
            // One transaction: a read_committed consumer sees the three storage events at consecutive offsets, so no
            // commit marker (which takes an offset) stands between them.
            List<Long> offsets = seen.stream().filter(r -> r.record().topic().equals(Topics.STORAGE))
                    .map(r -> r.record().offset()).toList();
            assertThat(offsets).hasSize(3);
            assertThat(offsets.get(2) - offsets.get(0)).isEqualTo(2);
            TopologyApplied t = topology(seen);
            assertThat(t.main()).isEqualTo("b");
            assertThat(t.profiles()).containsExactly("a");
            assertThat(t.source()).isEqualTo(folder.resolve(cluster + ".yaml").toString());
        }
    }

    @Test
    void anInvalidConfigIsRefusedWithItsFieldAndChangesNothing() throws IOException {
        String cluster = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        try (BusWatch bus = new BusWatch(bootstrap, cluster)) {
            save(cluster + ".yaml", config(cluster, "a"));
            bus.awaitUntil(seen -> topology(seen) != null);
            bus.forget();

            save(cluster + ".yaml", config(cluster, "a").replace("type: filesystem\n      filesystem: {path: /srv/" + cluster
                    + "/b}", "type: s3\n      s3: {region: eu-west-1}"));
            List<BusReader.Read> seen = bus.awaitUntil(s -> s.stream().anyMatch(r -> r.valid()
                    && r.event().type() == EventType.CONFIG_REJECTED));
            seen = bus.toEnd();

            assertThat(seen).singleElement().satisfies(r -> {
                ConfigRejected rejected = (ConfigRejected) r.event().data();
                assertThat(rejected.cluster()).isEqualTo(cluster);
                assertThat(rejected.source()).isEqualTo(folder.resolve(cluster + ".yaml").toString());
                assertThat(rejected.document()).isEqualTo(1);
                assertThat(rejected.field()).isEqualTo("spec.storages.b.s3.bucket");
                assertThat(rejected.reason()).isEqualTo("type s3 requires s3.bucket");
            });
        }
    }

    @Test
    void garbageOnTheTopologyTopicIsRejectedAndTheServiceGoesOn() throws Exception {
        String cluster = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        try (BusWatch bus = new BusWatch(bootstrap, cluster);
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                     new StringSerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.TOPOLOGY, cluster, "\u0000garbage".getBytes(StandardCharsets.UTF_8))).get();
            ProducerRecord<String, byte[]> wrongType = new ProducerRecord<>(Topics.TOPOLOGY, cluster,
                    "{}".getBytes(StandardCharsets.UTF_8));
            wrongType.headers().add("ce_specversion", "1.0".getBytes()).add("ce_id", "x1".getBytes())
                    .add("ce_source", "/elsewhere".getBytes()).add("ce_type", "io.stowage.nothing.v1".getBytes());
            raw.send(wrongType).get();

            List<BusReader.Read> seen = bus.awaitUntil(s -> rejections(s).size() == 2);
            assertThat(rejections(seen)).allSatisfy(r -> {
                assertThat(r.consumer()).isEqualTo("stowage-config-service");
                assertThat(r.topic()).isEqualTo(Topics.TOPOLOGY);
            });
            assertThat(rejections(seen)).extracting(EventRejected::reason)
                    .anySatisfy(reason -> assertThat(reason).contains("not a CloudEvent"))
                    .anySatisfy(reason -> assertThat(reason).contains("unknown event type io.stowage.nothing.v1"));

            save(cluster + ".yaml", config(cluster, "a"));
            bus.awaitUntil(s -> topology(s) != null && topology(s).main().equals("a"));
            assertThat(service.alive()).isTrue();
        }
    }

    static String line(Envelope<?> e) {
        if (e.data() instanceof StorageChanged c) {
            return c.change() + " " + c.storage() + (c.previousMain() == null ? "" : " (was " + c.previousMain() + ")");
        }
        if (e.data() instanceof ResyncRequested r) {
            return "resync " + (r.storage() != null ? r.storage() : r.scope());
        }
        return e.type().type();
    }

    static TopologyApplied topology(List<BusReader.Read> seen) {
        TopologyApplied last = null;
        for (BusReader.Read r : seen) {
            if (r.valid() && r.event().data() instanceof TopologyApplied t) {
                last = t;
            }
        }
        return last;
    }

    static List<EventRejected> rejections(List<BusReader.Read> seen) {
        return seen.stream().filter(r -> r.valid() && r.event().data() instanceof EventRejected)
                .map(r -> (EventRejected) r.event().data()).toList();
    }

    /** Two filesystem storages a and b, {@code main} marking one. */
    static String config(String cluster, String main) {
        return """
                apiVersion: stowage.io/v1alpha1
                kind: BackupConfig
                metadata:
                  name: %s
                spec:
                  postgres: {host: 127.0.0.1, port: 5432, user: postgres}
                  pitr: {enabled: true}
                  storages:
                    a:
                      main: %s
                      type: filesystem
                      filesystem: {path: /srv/%s/a}
                    b:
                      main: %s
                      type: filesystem
                      filesystem: {path: /srv/%s/b}
                """.formatted(cluster, main.equals("a"), cluster, main.equals("b"), cluster);
    }

    /** Saves a file the way careful tools do: write beside it, then rename over it. */
    static void save(String name, String yaml) throws IOException {
        save(folder, name, yaml);
    }

    static void save(Path dir, String name, String yaml) throws IOException {
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
