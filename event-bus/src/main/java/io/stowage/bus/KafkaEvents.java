package io.stowage.bus;

import io.stowage.events.CloudEventCodec;
import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.StowageEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.util.HashMap;
import java.util.Map;

/** Maps Stowage events to Kafka records and back: CloudEvents binary mode, keyed by cluster. */
public final class KafkaEvents {
    private KafkaEvents() {
    }

    /**
     * The record for an event: its type's topic, {@code ce_*} headers, JSON value, and as key the cluster (for a
     * catalog entry, the entry's key, so that compaction keeps one record per entry).
     */
    public static ProducerRecord<String, byte[]> toRecord(Envelope<?> event) {
        RecordHeaders headers = new RecordHeaders();
        CloudEventCodec.headers(event).forEach(headers::add);
        String key = event.data() instanceof CatalogEvent entry ? entry.entryKey() : event.subject();
        return new ProducerRecord<>(event.type().topic(), null, key, CloudEventCodec.value(event), headers);
    }

    /**
     * Reads and validates an incoming record.
     *
     * @throws InvalidEventException with the reason when the record is not a valid Stowage event
     */
    public static Envelope<StowageEvent> fromRecord(ConsumerRecord<String, byte[]> record) throws InvalidEventException {
        Map<String, byte[]> headers = new HashMap<>();
        for (Header h : record.headers()) {
            headers.put(h.key(), h.value()); // the last header of a name wins, as in Kafka's lastHeader()
        }
        Envelope<StowageEvent> event = CloudEventCodec.decode(headers, record.value());
        if (!event.type().topic().equals(record.topic())) {
            throw new InvalidEventException(event.type().type() + " belongs on " + event.type().topic() + ", not on "
                    + record.topic(), event.type().type(), event.id());
        }
        if (record.key() != null && !record.key().equals(event.subject())
                && !(event.data() instanceof CatalogEvent entry && record.key().equals(entry.entryKey()))) {
            throw new InvalidEventException("record key " + record.key() + " differs from the event's cluster "
                    + event.subject(), event.type().type(), event.id());
        }
        return event;
    }
}
