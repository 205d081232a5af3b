package io.stowage.bus;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.spec.TopologyView;
import io.stowage.localstack.SharedKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A fan-out written in one transaction, read back from a real broker by Stowage and by the CloudEvents SDK. */
class TransactionalPublisherIT {

    @Test
    void aFanOutThatFailsMidwayIsSeenByNoReadCommittedConsumer() {
        String bootstrap = SharedKafka.bootstrapServers();
        String cluster = "pg-" + UUID.randomUUID();
        Envelope<StorageChanged> root = Envelope.root("/stowage/test",
                new StorageChanged(cluster, StorageChange.MAIN_CHANGED, "b", "a",
                        new TopologyView("b", List.of("a"), Map.of()), "test"));
        Envelope<ResyncRequested> resync = Envelope.causedBy(root, "/stowage/test",
                new ResyncRequested(cluster, "b", null, "main changed"));
        // Larger than the producer's max.request.size: the last send of the transaction fails.
        ProducerRecord<String, byte[]> tooLarge = new ProducerRecord<>(Topics.TOPOLOGY, cluster, new byte[2_000_000]);

        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.STORAGE, Topics.RESYNC, Topics.TOPOLOGY), false);
             TransactionalPublisher publisher = new TransactionalPublisher(KafkaConnection.to(bootstrap), "test-" + cluster)) {
            assertThatThrownBy(() -> publisher.publishAtomically(List.of(root, resync), List.of(tooLarge)))
                    .isInstanceOf(org.apache.kafka.common.KafkaException.class);

            // The same publisher goes on: the next transaction commits, and only it is visible.
            Envelope<StorageChanged> next = Envelope.root("/stowage/test", new StorageChanged(cluster,
                    StorageChange.PROFILE_ADDED, "c", null, new TopologyView("b", List.of("a", "c"), Map.of()), "test"));
            publisher.publishAtomically(List.of(next), List.of());

            List<BusReader.Read> reads = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                reader.poll(Duration.ofMillis(200)).stream()
                        .filter(r -> cluster.equals(r.record().key())).forEach(reads::add);
                return !reads.isEmpty();
            });
            reader.readToEnd(Duration.ofSeconds(20)).stream()
                    .filter(r -> cluster.equals(r.record().key())).forEach(reads::add);
            assertThat(reads).extracting(r -> r.event().id()).containsExactly(next.id());
        }
    }

    @Test
    void aFanOutIsReadInOrderByStowageAndByTheSdk() {
        String bootstrap = SharedKafka.bootstrapServers();
        String cluster = "pg-" + UUID.randomUUID();
        Envelope<StorageChanged> root = Envelope.root("/stowage/test",
                new StorageChanged(cluster, StorageChange.MAIN_CHANGED, "b", "a",
                        new TopologyView("b", List.of("a"), Map.of()), "test"));
        Envelope<ResyncRequested> resync = Envelope.causedBy(root, "/stowage/test",
                new ResyncRequested(cluster, "b", null, "main changed"));

        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.STORAGE, Topics.RESYNC, Topics.TOPOLOGY), false);
             TransactionalPublisher publisher = new TransactionalPublisher(KafkaConnection.to(bootstrap), "test-" + cluster)) {
            publisher.publishAtomically(List.of(root, resync),
                    List.of(new ProducerRecord<>(Topics.TOPOLOGY, cluster, "{}".getBytes())));

            List<BusReader.Read> reads = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                reader.poll(Duration.ofMillis(200)).stream()
                        .filter(r -> cluster.equals(r.record().key())).forEach(reads::add);
                return reads.size() >= 3;
            });
            assertThat(reads).filteredOn(BusReader.Read::valid).extracting(r -> r.event().id())
                    .containsExactlyInAnyOrder(root.id(), resync.id());
            assertThat(reads).filteredOn(r -> r.record().topic().equals(Topics.TOPOLOGY)).hasSize(1);
            Envelope<?> readResync = reads.stream().filter(r -> r.valid() && r.event().id().equals(resync.id()))
                    .findFirst().orElseThrow().event();
            assertThat(readResync.correlationId()).isEqualTo(root.id());
            assertThat(readResync.causationId()).isEqualTo(root.id());
            assertThat(readResync.data()).isEqualTo(resync.data());
        }

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "sdk-" + cluster);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, CloudEvent> sdk = new KafkaConsumer<>(props, new StringDeserializer(),
                new CloudEventDeserializer())) {
            sdk.subscribe(List.of(Topics.RESYNC));
            List<CloudEvent> mine = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (ConsumerRecord<String, CloudEvent> r : sdk.poll(Duration.ofMillis(200))) {
                    if (cluster.equals(r.key())) {
                        mine.add(r.value());
                    }
                }
                return !mine.isEmpty();
            });
            assertThat(mine.get(0).getType()).isEqualTo("io.stowage.resync.requested.v1");
            assertThat(mine.get(0).getExtension("causationid")).isEqualTo(root.id());
        }
    }
}
