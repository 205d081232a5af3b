package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Set;

/**
 * Turns a CRD's openAPIV3Schema into a JSON Schema (draft 2020-12). The structural subset that CRDs
 * allow is JSON Schema keyword for keyword, except:
 * <ul>
 *   <li>{@code x-kubernetes-*} extensions are dropped: CEL rules are not JSON Schema and are not evaluated here;</li>
 *   <li>an object with {@code properties} gets {@code additionalProperties: false} unless it has
 *       {@code x-kubernetes-preserve-unknown-fields}: the API server refuses unknown fields under strict
 *       field validation, which kubectl asks for by default (without it they are pruned, not refused);</li>
 *   <li>{@code nullable: true} becomes a {@code "null"} alternative of the type;</li>
 *   <li>{@code format} is dropped: int32/int64 are no JSON Schema formats, and 2020-12 only annotates with it.</li>
 * </ul>
 * Any other keyword is refused, so a new one in the CRD cannot be skipped silently.
 */
final class CrdSchemaToJsonSchema {
    private static final Set<String> COPIED = Set.of(
            "type", "description", "title", "required", "enum", "pattern", "default", "example",
            "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "uniqueItems",
            "minProperties", "maxProperties");
    private static final Set<String> SUBSCHEMA_LISTS = Set.of("allOf", "anyOf", "oneOf");
    private static final Set<String> DROPPED = Set.of(
            "format", "x-kubernetes-validations", "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
            "x-kubernetes-map-type", "x-kubernetes-preserve-unknown-fields");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private CrdSchemaToJsonSchema() {
    }

    static ObjectNode convert(JsonNode openApiV3Schema) {
        ObjectNode root = convertNode(openApiV3Schema, "");
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        return root;
    }

    private static ObjectNode convertNode(JsonNode schema, String where) {
        ObjectNode out = JSON.objectNode();
        for (Map.Entry<String, JsonNode> field : schema.properties()) {
            String keyword = field.getKey();
            JsonNode value = field.getValue();
            if (COPIED.contains(keyword)) {
                out.set(keyword, value.deepCopy());
            } else if (keyword.equals("properties")) {
                ObjectNode properties = out.putObject("properties");
                value.properties().forEach(p ->
                        properties.set(p.getKey(), convertNode(p.getValue(), where + "/" + p.getKey())));
            } else if (keyword.equals("additionalProperties") || keyword.equals("items") || keyword.equals("not")) {
                out.set(keyword, value.isObject() ? convertNode(value, where + "/" + keyword) : value.deepCopy());
            } else if (SUBSCHEMA_LISTS.contains(keyword)) {
                ArrayNode list = out.putArray(keyword);
                value.forEach(s -> list.add(convertNode(s, where + "/" + keyword)));
            } else if (!keyword.equals("nullable") && !DROPPED.contains(keyword)) {
                throw new IllegalArgumentException("unsupported keyword " + keyword + " at " + (where.isEmpty() ? "/" : where));
            }
        }
        if (schema.path("nullable").asBoolean(false) && out.has("type")) {
            out.set("type", JSON.arrayNode().add(out.get("type").asText()).add("null"));
        }
        boolean preserveUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (schema.has("properties") && !schema.has("additionalProperties") && !preserveUnknown) {
            out.put("additionalProperties", false);
        }
        return out;
    }
}
