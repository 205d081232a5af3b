package io.stowage.bus;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.CloudEventSerializer;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.InvalidEventException;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.StowageEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Stowage's CloudEvents binary mode, checked against the CloudEvents Java SDK's Kafka binding. */
class CloudEventsConformanceTest {

    @Test
    void theSdkReadsWhatStowageWrites() {
        Envelope<BackupRequested> event = Envelope.root("/stowage/test",
                new BackupRequested("pg1", List.of("s3-us-west", "local"), "b-42"));
        ProducerRecord<String, byte[]> record = KafkaEvents.toRecord(event);

        try (CloudEventDeserializer sdk = new CloudEventDeserializer()) {
            CloudEvent read = sdk.deserialize(record.topic(), record.headers(), record.value());

            assertThat(read.getSpecVersion().toString()).isEqualTo("1.0");
            assertThat(read.getId()).isEqualTo(event.id());
            assertThat(read.getSource()).isEqualTo(URI.create("/stowage/test"));
            assertThat(read.getType()).isEqualTo("io.stowage.backup.requested.v1");
            assertThat(read.getSubject()).isEqualTo("pg1");
            assertThat(read.getTime()).isEqualTo(event.time());
            assertThat(read.getDataContentType()).isEqualTo("application/json");
            assertThat(read.getExtension("correlationid")).isEqualTo(event.id());
            assertThat(new String(read.getData().toBytes(), StandardCharsets.UTF_8))
                    .contains("\"storages\":[\"s3-us-west\",\"local\"]", "\"backupId\":\"b-42\"");
        }
        assertThat(record.topic()).isEqualTo(Topics.BACKUP);
        assertThat(record.key()).isEqualTo("pg1");
    }

    @Test
    void stowageReadsWhatTheSdkWrites() throws InvalidEventException {
        OffsetDateTime time = OffsetDateTime.of(2026, 11, 22, 10, 15, 30, 0, ZoneOffset.UTC);
        CloudEvent sent = CloudEventBuilder.v1()
                .withId("ext-123")
                .withSource(URI.create("https://ci.example.com/pipelines/7"))
                .withType("io.stowage.backup.requested.v1")
                .withSubject("pg1")
                .withTime(time)
                .withExtension("correlationid", "ext-root")
                .withExtension("causationid", "ext-122")
                .withData("application/json", "{\"cluster\":\"pg1\",\"storages\":[\"local\"]}"
                        .getBytes(StandardCharsets.UTF_8))
                .build();
        RecordHeaders headers = new RecordHeaders();
        byte[] value;
        try (CloudEventSerializer sdk = new CloudEventSerializer()) {
            sdk.configure(Map.of(CloudEventSerializer.ENCODING_CONFIG, "BINARY"), false);
            value = sdk.serialize(Topics.BACKUP, headers, sent);
        }

        Envelope<StowageEvent> read = KafkaEvents.fromRecord(consumerRecord(headers, value));

        assertThat(read.id()).isEqualTo("ext-123");
        assertThat(read.source()).isEqualTo("https://ci.example.com/pipelines/7");
        assertThat(read.type()).isEqualTo(EventType.BACKUP_REQUESTED);
        assertThat(read.subject()).isEqualTo("pg1");
        assertThat(read.time()).isEqualTo(time);
        assertThat(read.correlationId()).isEqualTo("ext-root");
        assertThat(read.causationId()).isEqualTo("ext-122");
        assertThat(read.data()).isEqualTo(new BackupRequested("pg1", List.of("local"), null));
    }

    @Test
    void anSdkEventOfAnUnknownTypeIsRefusedWithItsType() {
        CloudEvent sent = CloudEventBuilder.v1()
                .withId("x-1").withSource(URI.create("/elsewhere")).withType("com.example.order.created")
                .withSubject("pg1").withData("application/json", "{}".getBytes(StandardCharsets.UTF_8)).build();
        RecordHeaders headers = new RecordHeaders();
        byte[] value;
        try (CloudEventSerializer sdk = new CloudEventSerializer()) {
            sdk.configure(Map.of(CloudEventSerializer.ENCODING_CONFIG, "BINARY"), false);
            value = sdk.serialize(Topics.BACKUP, headers, sent);
        }
        try {
            KafkaEvents.fromRecord(consumerRecord(headers, value));
            throw new AssertionError("an unknown type was accepted");
        } catch (InvalidEventException e) {
            assertThat(e.getMessage()).contains("unknown event type com.example.order.created");
            assertThat(e.id()).isEqualTo("x-1");
        }
    }

    private static ConsumerRecord<String, byte[]> consumerRecord(RecordHeaders headers, byte[] value) {
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>(Topics.BACKUP, 0, 7L, "pg1", value);
        headers.forEach(h -> r.headers().add(h));
        return r;
    }
}
