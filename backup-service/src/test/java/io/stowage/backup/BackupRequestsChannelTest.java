package io.stowage.backup;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.bus.quarkus.testing.SharedKafkaResource;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.EventRejected;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The backup-requests channel and its failure strategy, against a real broker: bad input is answered with
 * event.rejected.v1 naming the reason, and the channel goes on with the next request.
 */
@QuarkusTest
@WithTestResource(value = SharedKafkaResource.class, initArgs = @ResourceArg(name = "folders",
        value = "stowage.secrets-folder,stowage.wal.spool-folder"))
class BackupRequestsChannelTest {
    @Inject
    KafkaConnection kafka;

    @Test
    void badInputIsRejectedWithItsReasonAndTheNextRequestIsAnswered() throws Exception {
        String cluster = "pg-" + UUID.randomUUID();
        try (BusReader bus = new BusReader(kafka, List.of(Topics.REJECTED, Topics.BACKUP), false);
             KafkaEventPublisher publisher = new KafkaEventPublisher(kafka, "channel-test");
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(kafka.producer("channel-test-raw"))) {
            raw.send(garbage(cluster, "this is not json", "io.stowage.backup.requested.v1", "g-1")).get();
            raw.send(garbage(cluster, "{\"cluster\":\"x\",\"storages\":\"local\"}", "io.stowage.backup.requested.v1",
                    "g-2")).get();
            raw.send(garbage(cluster, "{\"cluster\":\"x\"}", "io.stowage.backup.exploded.v1", "g-3")).get();
            raw.send(new ProducerRecord<>(Topics.BACKUP, cluster, "{}".getBytes(StandardCharsets.UTF_8))).get();
            Envelope<BackupRequested> valid = Envelope.root("/stowage/test",
                    new BackupRequested(cluster, List.of("local"), "b-1"));
            publisher.publishAndWait(valid);

            List<EventRejected> rejections = new ArrayList<>();
            List<BackupFailed> failures = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (BusReader.Read read : bus.poll(Duration.ofMillis(200))) {
                    if (read.valid() && read.event().data() instanceof EventRejected r && cluster.equals(r.cluster())) {
                        rejections.add(r);
                    } else if (read.valid() && read.event().data() instanceof BackupFailed f
                            && valid.id().equals(read.event().causationId())) {
                        failures.add(f);
                    }
                }
                return rejections.size() >= 4 && !failures.isEmpty();
            });
            assertThat(rejections).extracting(EventRejected::reason)
                    .anySatisfy(r -> assertThat(r).contains("not JSON"))
                    .anySatisfy(r -> assertThat(r).contains("does not match the schema"))
                    .anySatisfy(r -> assertThat(r).contains("unknown event type io.stowage.backup.exploded.v1"))
                    .anySatisfy(r -> assertThat(r).contains("not a CloudEvent"));
            assertThat(rejections).allSatisfy(r -> {
                assertThat(r.topic()).isEqualTo(Topics.BACKUP);
                assertThat(r.consumer()).isEqualTo("stowage-backup-service");
            });
            assertThat(rejections).extracting(EventRejected::id).contains("g-1", "g-2", "g-3");
            assertThat(failures.get(0).reason()).contains(cluster);
        }
    }

    private static ProducerRecord<String, byte[]> garbage(String cluster, String value, String type, String id) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.BACKUP, cluster,
                value.getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_id", id.getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_source", "/garbage".getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_type", type.getBytes(StandardCharsets.UTF_8));
        r.headers().add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
        return r;
    }
}
