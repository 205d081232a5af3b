package io.stowage.cli;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaEvents;
import io.stowage.cli.bus.TopicScan;
import io.stowage.events.EventType;
import io.stowage.events.Envelope;
import io.stowage.events.data.StowageEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;

/** Records as the bus hands them over, built without a broker: real CloudEvents headers, decoded as BusReader does. */
public final class Records {
    public static final OffsetDateTime TIME = OffsetDateTime.parse("2026-11-22T09:30:01Z");
    public static final String SOURCE = "urn:test";

    private Records() {
    }

    /** An envelope with a fixed time and ids, so that lines can be compared exactly. */
    public static <T extends StowageEvent> Envelope<T> envelope(String id, String correlationId, T data) {
        return new Envelope<>(id, SOURCE, EventType.of(data), TIME, data.cluster(), correlationId,
                id.equals(correlationId) ? null : correlationId, data);
    }

    /** The event as it comes off partition {@code partition} at {@code offset}, written at {@code timestamp}. */
    public static BusReader.Read read(Envelope<?> event, int partition, long offset, long timestamp) {
        ProducerRecord<String, byte[]> p = KafkaEvents.toRecord(event);
        return BusReader.decode(new ConsumerRecord<>(p.topic(), partition, offset, timestamp, TimestampType.CREATE_TIME,
                -1, -1, p.key(), p.value(), p.headers(), Optional.empty()));
    }

    public static BusReader.Read read(Envelope<?> event) {
        return read(event, 0, 0, TIME.toInstant().toEpochMilli());
    }

    /** A record that is not a valid event: raw headers and value. */
    public static BusReader.Read raw(String topic, int partition, long offset, String key, Map<String, String> headers,
                                     String value) {
        RecordHeaders h = new RecordHeaders();
        headers.forEach((name, v) -> h.add(name, v.getBytes(StandardCharsets.UTF_8)));
        return BusReader.decode(new ConsumerRecord<>(topic, partition, offset, TIME.toInstant().toEpochMilli(),
                TimestampType.CREATE_TIME, -1, -1, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8),
                h, Optional.empty()));
    }
}
