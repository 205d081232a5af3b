package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;

import java.util.Set;
import java.util.stream.Collectors;

/** The CRD's structural schema as a JSON Schema validator: what the API server checks before any CEL rule. */
final class BackupConfigSchema {
    private final JsonSchema schema;

    private BackupConfigSchema(JsonSchema schema) {
        this.schema = schema;
    }

    static BackupConfigSchema of(BackupConfigCrd crd) {
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        return new BackupConfigSchema(factory.getSchema(CrdSchemaToJsonSchema.convert(crd.openApiSchema()), config));
    }

    Set<Refusal> refusals(JsonNode document) {
        return schema.validate(document).stream().map(Refusal::of).collect(Collectors.toSet());
    }
}
