package io.stowage.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The JSON Schema of every event type's data, loaded once from the classpath. */
public final class EventSchemas {
    private static final Map<EventType, JsonSchema> SCHEMAS = load();

    private EventSchemas() {
    }

    /** What is wrong with {@code data} as the data of {@code type}; empty when it is valid. */
    public static List<String> violations(EventType type, JsonNode data) {
        return SCHEMAS.get(type).validate(data).stream()
                .map(ValidationMessage::getMessage)
                .sorted()
                .toList();
    }

    /** The schema document of a type, as published in docs and used by other systems. */
    public static JsonNode schemaOf(EventType type) {
        return SCHEMAS.get(type).getSchemaNode();
    }

    private static Map<EventType, JsonSchema> load() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        Map<EventType, JsonSchema> schemas = new EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) {
            try (InputStream in = EventSchemas.class.getResourceAsStream(type.schemaResource())) {
                if (in == null) {
                    throw new IllegalStateException("missing JSON Schema " + type.schemaResource());
                }
                schemas.put(type, factory.getSchema(EventJson.MAPPER.readTree(in)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return schemas;
    }
}
