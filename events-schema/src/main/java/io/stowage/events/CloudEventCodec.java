package io.stowage.events;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.events.data.StowageEvent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CloudEvents 1.0 in Kafka binary content mode: attributes as {@code ce_*} headers, the data as the
 * record value (JSON). Kafka-free: headers are plain name-to-bytes maps, so any transport can use it.
 */
public final class CloudEventCodec {
    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";

    public static final String H_SPECVERSION = "ce_specversion";
    public static final String H_ID = "ce_id";
    public static final String H_SOURCE = "ce_source";
    public static final String H_TYPE = "ce_type";
    public static final String H_TIME = "ce_time";
    public static final String H_SUBJECT = "ce_subject";
    public static final String H_CORRELATION = "ce_correlationid";
    public static final String H_CAUSATION = "ce_causationid";
    /** The CloudEvents distributed tracing extension, in binary mode. */
    public static final String H_TRACEPARENT = "ce_traceparent";
    public static final String H_CONTENT_TYPE = "content-type";

    private CloudEventCodec() {
    }

    /** The headers of an event, in a stable order. */
    public static Map<String, byte[]> headers(Envelope<?> event) {
        Map<String, byte[]> h = new LinkedHashMap<>();
        put(h, H_SPECVERSION, SPEC_VERSION);
        put(h, H_ID, event.id());
        put(h, H_SOURCE, event.source());
        put(h, H_TYPE, event.type().type());
        put(h, H_TIME, DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(event.time()));
        put(h, H_SUBJECT, event.subject());
        put(h, H_CORRELATION, event.correlationId());
        put(h, H_CAUSATION, event.causationId());
        put(h, H_TRACEPARENT, event.traceparent());
        put(h, H_CONTENT_TYPE, CONTENT_TYPE);
        return h;
    }

    /** The record value of an event: its data as JSON. */
    public static byte[] value(Envelope<?> event) {
        return EventJson.write(event.data());
    }

    /**
     * Reads an event from its headers and value, checking the CloudEvents attributes, the type, and the
     * data against the type's JSON Schema.
     *
     * @throws InvalidEventException with the reason, when anything is missing, unknown or invalid
     */
    public static Envelope<StowageEvent> decode(Map<String, byte[]> headers, byte[] value) throws InvalidEventException {
        String id = text(headers, H_ID);
        String typeName = text(headers, H_TYPE);
        String specVersion = text(headers, H_SPECVERSION);
        if (specVersion == null) {
            throw new InvalidEventException("not a CloudEvent in binary mode: no ce_specversion header", typeName, id);
        }
        if (!SPEC_VERSION.equals(specVersion)) {
            throw new InvalidEventException("unsupported CloudEvents specversion " + specVersion, typeName, id);
        }
        for (String required : List.of(H_ID, H_SOURCE, H_TYPE)) {
            if (text(headers, required) == null || text(headers, required).isBlank()) {
                throw new InvalidEventException("missing CloudEvents attribute " + required, typeName, id);
            }
        }
        EventType type = EventType.ofType(typeName)
                .orElseThrow(() -> new InvalidEventException("unknown event type " + typeName, typeName, id));
        String contentType = text(headers, H_CONTENT_TYPE);
        if (contentType != null && !contentType.startsWith(CONTENT_TYPE)) {
            throw new InvalidEventException("unsupported content-type " + contentType + ", expected " + CONTENT_TYPE,
                    typeName, id);
        }
        OffsetDateTime time;
        try {
            String t = text(headers, H_TIME);
            time = t == null ? OffsetDateTime.now() : OffsetDateTime.parse(t);
        } catch (DateTimeParseException e) {
            throw new InvalidEventException("ce_time is not an RFC 3339 time: " + text(headers, H_TIME), typeName, id);
        }
        if (value == null || value.length == 0) {
            throw new InvalidEventException("no data: " + typeName + " needs a JSON object", typeName, id);
        }
        JsonNode json;
        try {
            json = EventJson.parse(value);
        } catch (JsonProcessingException e) {
            // Say where, never what: the offending token could be a secret sent by mistake.
            JsonLocation at = e.getLocation();
            throw new InvalidEventException("data is not JSON" + (at == null ? "" : " (line " + at.getLineNr()
                    + ", column " + at.getColumnNr() + ")"), typeName, id);
        } catch (IOException e) {
            throw new InvalidEventException("data is not JSON", typeName, id);
        }
        List<String> violations = EventSchemas.violations(type, json);
        if (!violations.isEmpty()) {
            throw new InvalidEventException("data does not match the schema of " + typeName + ": "
                    + String.join("; ", violations), typeName, id);
        }
        StowageEvent data;
        try {
            data = EventJson.read(json, type.dataClass());
        } catch (RuntimeException e) {
            throw new InvalidEventException("data cannot be read as " + typeName + " (" + e.getClass().getSimpleName() + ")",
                    typeName, id);
        }
        String subject = text(headers, H_SUBJECT);
        if (subject != null && data.cluster() != null && !subject.equals(data.cluster())) {
            throw new InvalidEventException("ce_subject " + subject + " differs from data.cluster " + data.cluster(),
                    typeName, id);
        }
        String correlation = text(headers, H_CORRELATION);
        // A malformed trace context is dropped, as W3C Trace Context asks: the event itself is fine.
        String traceparent = text(headers, H_TRACEPARENT);
        return new Envelope<>(id, text(headers, H_SOURCE), type, time, subject != null ? subject : data.cluster(),
                correlation != null ? correlation : id, text(headers, H_CAUSATION), data,
                Envelope.isTraceparent(traceparent) ? traceparent : null);
    }

    private static void put(Map<String, byte[]> headers, String name, String value) {
        if (value != null) {
            headers.put(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String text(Map<String, byte[]> headers, String name) {
        byte[] v = headers.get(name);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }
}
