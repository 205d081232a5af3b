package io.stowage.bus;

import io.stowage.bus.KafkaEventPublisher;

import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.EventRejected;
import io.stowage.events.data.StowageEvent;
import io.stowage.localstack.SharedKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Garbage on a consumed topic ends in stowage.rejected with its reason, and the consumer goes on. */
class EventConsumerLoopIT {

    @Test
    void garbageIsRejectedWithAReasonAndTheNextValidEventIsHandled() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        String cluster = "pg-" + UUID.randomUUID();
        List<Envelope<StowageEvent>> handled = new CopyOnWriteArrayList<>();

        try (BusReader rejected = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.REJECTED), false);
             KafkaEventPublisher publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "test");
             EventConsumerLoop loop = new EventConsumerLoop(KafkaConnection.to(bootstrap), "test-" + cluster, List.of(Topics.BACKUP),
                     handled::add, publisher, "/stowage/test").start();
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                     new StringSerializer(), new ByteArraySerializer())) {

            ProducerRecord<String, byte[]> notJson = new ProducerRecord<>(Topics.BACKUP, cluster,
                    "this is not json".getBytes(StandardCharsets.UTF_8));
            headers(notJson, "io.stowage.backup.requested.v1", "g-1");
            ProducerRecord<String, byte[]> wrongSchema = new ProducerRecord<>(Topics.BACKUP, cluster,
                    "{\"cluster\":\"x\",\"storages\":\"local\"}".getBytes(StandardCharsets.UTF_8));
            headers(wrongSchema, "io.stowage.backup.requested.v1", "g-2");
            ProducerRecord<String, byte[]> unknownType = new ProducerRecord<>(Topics.BACKUP, cluster,
                    "{\"cluster\":\"x\"}".getBytes(StandardCharsets.UTF_8));
            headers(unknownType, "io.stowage.backup.exploded.v1", "g-3");
            ProducerRecord<String, byte[]> noHeaders = new ProducerRecord<>(Topics.BACKUP, cluster,
                    "{}".getBytes(StandardCharsets.UTF_8));
            for (ProducerRecord<String, byte[]> r : List.of(notJson, wrongSchema, unknownType, noHeaders)) {
                raw.send(r).get();
            }
            Envelope<BackupRequested> valid = Envelope.root("/stowage/test",
                    new BackupRequested(cluster, List.of("local"), "b-1"));
            publisher.publishAndWait(valid);

            await().atMost(Duration.ofSeconds(30)).until(() -> handled.stream().anyMatch(e -> e.id().equals(valid.id())));

            List<EventRejected> reasons = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                rejected.poll(Duration.ofMillis(200)).stream()
                        .filter(r -> r.valid() && r.event().type() == EventType.EVENT_REJECTED)
                        .map(r -> (EventRejected) r.event().data())
                        .filter(r -> cluster.equals(r.cluster()))
                        .forEach(reasons::add);
                return reasons.size() >= 4;
            });
            assertThat(reasons).extracting(EventRejected::reason).anySatisfy(r -> assertThat(r).contains("not JSON"))
                    .anySatisfy(r -> assertThat(r).contains("does not match the schema"))
                    .anySatisfy(r -> assertThat(r).contains("unknown event type io.stowage.backup.exploded.v1"))
                    .anySatisfy(r -> assertThat(r).contains("not a CloudEvent"));
            assertThat(reasons).allSatisfy(r -> {
                assertThat(r.topic()).isEqualTo(Topics.BACKUP);
                assertThat(r.consumer()).isEqualTo("test-" + cluster);
            });
            assertThat(reasons).extracting(EventRejected::id).contains("g-1", "g-2", "g-3");
            assertThat(handled).extracting(Envelope::id).containsExactly(valid.id());
            assertThat(loop.rejectedCount()).isEqualTo(4);
        }
    }

    private static void headers(ProducerRecord<String, byte[]> r, String type, String id) {
        r.headers().add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_id", id.getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_source", "/garbage".getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_type", type.getBytes(StandardCharsets.UTF_8));
        r.headers().add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
    }
}
