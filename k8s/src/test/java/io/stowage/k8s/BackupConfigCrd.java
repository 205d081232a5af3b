package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The BackupConfig CRD file as a tree, with the parts the tests look into. */
record BackupConfigCrd(JsonNode manifest) {

    static BackupConfigCrd load() {
        return new BackupConfigCrd(ModuleFiles.read(ModuleFiles.CRD));
    }

    /** The one version the CRD serves, v1alpha1. */
    JsonNode version() {
        JsonNode versions = manifest.path("spec").path("versions");
        if (versions.size() != 1) {
            throw new IllegalStateException("expected one version, found " + versions.size());
        }
        return versions.get(0);
    }

    JsonNode openApiSchema() {
        return version().path("schema").path("openAPIV3Schema");
    }

    /**
     * The schema that governs the value at {@code pointer} of a BackupConfig document, e.g.
     * {@code /spec/storages/archive/s3}: a name under {@code storages} goes through additionalProperties.
     */
    JsonNode schemaAt(String pointer) {
        JsonNode schema = openApiSchema();
        for (String segment : pointer.substring(1).split("/")) {
            if (schema.path("properties").has(segment)) {
                schema = schema.path("properties").path(segment);
            } else if (schema.path("additionalProperties").isObject()) {
                schema = schema.path("additionalProperties");
            } else if (schema.path("items").isObject()) {
                schema = schema.path("items");
            } else {
                throw new IllegalArgumentException("no schema for " + segment + " in " + pointer);
            }
        }
        return schema;
    }

    List<CelRule> celRulesAt(String pointer) {
        return celRules(schemaAt(pointer));
    }

    /** Every CEL rule of the schema, by the JSON Pointer of the value it applies to (storage names as {@code *}). */
    Map<String, List<CelRule>> allCelRules() {
        Map<String, List<CelRule>> rules = new LinkedHashMap<>();
        collect(openApiSchema(), "", rules);
        return rules;
    }

    private static void collect(JsonNode schema, String pointer, Map<String, List<CelRule>> rules) {
        List<CelRule> here = celRules(schema);
        if (!here.isEmpty()) {
            rules.put(pointer, here);
        }
        schema.path("properties").properties()
                .forEach(p -> collect(p.getValue(), pointer + "/" + p.getKey(), rules));
        if (schema.path("additionalProperties").isObject()) {
            collect(schema.path("additionalProperties"), pointer + "/*", rules);
        }
        if (schema.path("items").isObject()) {
            collect(schema.path("items"), pointer + "/*", rules);
        }
    }

    private static List<CelRule> celRules(JsonNode schema) {
        List<CelRule> rules = new ArrayList<>();
        for (JsonNode v : schema.path("x-kubernetes-validations")) {
            rules.add(new CelRule(v.path("rule").asText(), v.path("message").asText()));
        }
        return rules;
    }
}
