package io.stowage.config.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The status schema of a shipped CRD. Fabric8's mock API server keeps whatever status it is sent; a real API server
 * prunes every field its structural schema does not declare, so a field the code writes but the CRD lacks would
 * silently never show. Tests check what the service wrote against it.
 */
final class CrdStatusSchema {
    private final JsonNode status;

    private CrdStatusSchema(JsonNode status) {
        this.status = status;
    }

    static CrdStatusSchema of(Path crd) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(crd.toFile());
        return new CrdStatusSchema(root.path("spec").path("versions").path(0).path("schema").path("openAPIV3Schema")
                .path("properties").path("status"));
    }

    /** The paths of a status (as read back from the API server) that the schema does not declare. */
    List<String> undeclared(Map<String, Object> value) {
        List<String> out = new ArrayList<>();
        walk(status, value, ".status", out);
        return out;
    }

    private static void walk(JsonNode schema, Object value, String path, List<String> out) {
        if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false) && !schema.has("properties")) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                JsonNode field = schema.path("properties").path(key);
                if (field.isMissingNode()) {
                    field = schema.path("additionalProperties");
                }
                if (field.isMissingNode() || !field.isObject()) {
                    if (!schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                        out.add(path + "." + key);
                    }
                    continue;
                }
                walk(field, e.getValue(), path + "." + key, out);
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(schema.path("items"), list.get(i), path + "[" + i + "]", out);
            }
        }
    }
}
