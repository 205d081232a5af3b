package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The OpenAPI-to-JSON-Schema conversion the schema tests rely on, on small schemas. */
class CrdSchemaToJsonSchemaTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void unknownFieldsAreRefusedInAnObjectWithPropertiesAndInTheValuesOfAMap() {
        JsonNode schema = yaml("""
                type: object
                properties:
                  storages:
                    type: object
                    additionalProperties:
                      type: object
                      properties:
                        main: {type: boolean}
                """);
        assertThat(validate(schema, "{\"storages\": {\"a\": {\"main\": true}}}")).isEmpty();
        assertThat(validate(schema, "{\"storages\": {\"a\": {\"main\": true, \"markedMain\": true}}}"))
                .extracting(ValidationMessage::getType).containsExactly("additionalProperties");
        assertThat(validate(schema, "{\"storage\": {}}"))
                .extracting(ValidationMessage::getType).containsExactly("additionalProperties");
    }

    @Test
    void preserveUnknownFieldsKeepsUnknownFields() {
        JsonNode schema = yaml("""
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties:
                  field: {type: string}
                """);
        assertThat(validate(schema, "{\"field\": \"spec.storages\", \"added\": 1}")).isEmpty();
        assertThat(validate(schema, "{\"field\": 1}")).extracting(ValidationMessage::getType).containsExactly("type");
    }

    @Test
    void nullableAllowsNullOnlyWhereSaid() {
        JsonNode schema = yaml("""
                type: object
                properties:
                  a: {type: string, nullable: true}
                  b: {type: string}
                """);
        assertThat(validate(schema, "{\"a\": null}")).isEmpty();
        assertThat(validate(schema, "{\"b\": null}")).extracting(ValidationMessage::getType).containsExactly("type");
    }

    @Test
    void celRulesAndFormatsAreDroppedNotEvaluated() {
        JsonNode schema = yaml("""
                type: object
                x-kubernetes-validations:
                  - rule: "false"
                    message: never
                properties:
                  n: {type: integer, format: int64}
                """);
        assertThat(CrdSchemaToJsonSchema.convert(schema).has("x-kubernetes-validations")).isFalse();
        assertThat(validate(schema, "{\"n\": 5}")).isEmpty();
    }

    @Test
    void aKeywordItDoesNotKnowIsRefused() {
        JsonNode schema = yaml("""
                type: object
                properties:
                  port: {x-kubernetes-int-or-string: true}
                """);
        assertThatIllegalArgumentException().isThrownBy(() -> CrdSchemaToJsonSchema.convert(schema))
                .withMessageContaining("x-kubernetes-int-or-string at /port");
    }

    private static Set<ValidationMessage> validate(JsonNode crdSchema, String json) {
        JsonNode converted = CrdSchemaToJsonSchema.convert(crdSchema);
        try {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(converted)
                    .validate(YAML.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
