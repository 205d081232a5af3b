package io.stowage.events;

import io.stowage.events.data.StowageEvent;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * One event as it travels: the CloudEvents attributes Stowage uses and the typed data.
 * The subject is the cluster id, which is also the Kafka record key.
 *
 * @param correlationId the id of the root request this event belongs to
 * @param causationId   the id of the event that caused this one (null for a root event)
 */
public record Envelope<T extends StowageEvent>(
        String id,
        String source,
        EventType type,
        OffsetDateTime time,
        String subject,
        String correlationId,
        String causationId,
        T data) {

    public Envelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(correlationId, "correlationId");
        if (type.dataClass() != data.getClass()) {
            throw new IllegalArgumentException(type.type() + " does not carry " + data.getClass().getSimpleName());
        }
    }

    /** A new root event: it starts its own correlation. */
    public static <T extends StowageEvent> Envelope<T> root(String source, T data) {
        String id = UUID.randomUUID().toString();
        return new Envelope<>(id, source, EventType.of(data), now(), data.cluster(), id, null, data);
    }

    /** A new event caused by {@code cause}: same correlation, causation is the cause's id. */
    public static <T extends StowageEvent> Envelope<T> causedBy(Envelope<?> cause, String source, T data) {
        return new Envelope<>(UUID.randomUUID().toString(), source, EventType.of(data), now(), data.cluster(),
                cause.correlationId(), cause.id(), data);
    }

    /** A new event in an existing correlation, caused by the event with id {@code causationId}. */
    public static <T extends StowageEvent> Envelope<T> inCorrelation(String correlationId, String causationId,
                                                                     String source, T data) {
        return new Envelope<>(UUID.randomUUID().toString(), source, EventType.of(data), now(), data.cluster(),
                correlationId, causationId, data);
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    }
}
