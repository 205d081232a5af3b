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
 * @param traceparent   the W3C trace context of the work that made it (the CloudEvents distributed tracing
 *                      extension, {@code ce_traceparent}); an event caused by another inherits it, so one trace
 *                      holds a request and all it led to. Null when nobody traces.
 */
public record Envelope<T extends StowageEvent>(
        String id,
        String source,
        EventType type,
        OffsetDateTime time,
        String subject,
        String correlationId,
        String causationId,
        T data,
        String traceparent) {

    /** A W3C traceparent: version, trace id, parent span id, flags. */
    private static final java.util.regex.Pattern TRACEPARENT =
            java.util.regex.Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    /** An event nobody traces. */
    public Envelope(String id, String source, EventType type, OffsetDateTime time, String subject,
                    String correlationId, String causationId, T data) {
        this(id, source, type, time, subject, correlationId, causationId, data, null);
    }

    public Envelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(correlationId, "correlationId");
        if (traceparent != null && !TRACEPARENT.matcher(traceparent).matches()) {
            throw new IllegalArgumentException("not a W3C traceparent: " + traceparent);
        }
        if (type.dataClass() != data.getClass()) {
            throw new IllegalArgumentException(type.type() + " does not carry " + data.getClass().getSimpleName());
        }
    }

    /** A new root event: it starts its own correlation. */
    public static <T extends StowageEvent> Envelope<T> root(String source, T data) {
        String id = UUID.randomUUID().toString();
        return new Envelope<>(id, source, EventType.of(data), now(), data.cluster(), id, null, data);
    }

    /** A new event caused by {@code cause}: same correlation and trace, causation is the cause's id. */
    public static <T extends StowageEvent> Envelope<T> causedBy(Envelope<?> cause, String source, T data) {
        return new Envelope<>(UUID.randomUUID().toString(), source, EventType.of(data), now(), data.cluster(),
                cause.correlationId(), cause.id(), data, cause.traceparent());
    }

    /** The same event, in the trace context {@code traceparent} (a W3C traceparent, or null). */
    public Envelope<T> withTraceparent(String traceparent) {
        return new Envelope<>(id, source, type, time, subject, correlationId, causationId, data, traceparent);
    }

    /** Whether {@code text} is a well-formed W3C traceparent. */
    public static boolean isTraceparent(String text) {
        return text != null && TRACEPARENT.matcher(text).matches();
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
