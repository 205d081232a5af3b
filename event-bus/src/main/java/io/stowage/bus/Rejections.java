package io.stowage.bus;

import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.EventRejected;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Turns refused input into {@code event.rejected.v1}, so the sender learns why and the consumer goes on. */
public final class Rejections {
    private static final int MAX_REASON = 2000;

    private Rejections() {
    }

    /** The rejection of {@code record} by {@code consumer}, with the reason from the decoder. */
    public static Envelope<EventRejected> of(ConsumerRecord<String, byte[]> record, InvalidEventException why,
                                             String consumer, String source) {
        return of(record, why.type(), why.id(), why.getMessage(), consumer, source);
    }

    /** The rejection of {@code record} by {@code consumer} for a reason found after decoding. */
    public static Envelope<EventRejected> of(ConsumerRecord<String, byte[]> record, String type, String id,
                                             String reason, String consumer, String source) {
        String shortReason = reason == null ? "unknown" : reason.length() > MAX_REASON
                ? reason.substring(0, MAX_REASON) + "…" : reason;
        EventRejected data = new EventRejected(record.key(), record.topic(), record.partition(), record.offset(),
                type, id, consumer, shortReason);
        return id == null ? Envelope.root(source, data) : Envelope.inCorrelation(id, id, source, data);
    }
}
