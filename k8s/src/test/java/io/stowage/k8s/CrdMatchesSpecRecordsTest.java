package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stowage.events.EventJson;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.RetentionSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.ScheduleSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The CRD schema and the Java config model (io.stowage.events.spec) name and type the same fields. */
class CrdMatchesSpecRecordsTest {
    private static final BackupConfigCrd CRD = BackupConfigCrd.load();

    @Test
    void specPropertiesAreTheComponentsOfBackupConfigSpec() {
        assertSameFields("/spec", BackupConfigSpec.class);
    }

    @Test
    void postgresPropertiesAreTheComponentsOfPostgresSpec() {
        assertSameFields("/spec/postgres", PostgresSpec.class);
    }

    @Test
    void pitrPropertiesAreTheComponentsOfPitrSpec() {
        assertSameFields("/spec/pitr", PitrSpec.class);
    }

    @Test
    void storagePropertiesAreTheComponentsOfStorageSpec() {
        assertSameFields("/spec/storages/any", StorageSpec.class);
    }

    @Test
    void s3PropertiesAreTheComponentsOfS3Spec() {
        assertSameFields("/spec/storages/any/s3", S3Spec.class);
    }

    @Test
    void filesystemPropertiesAreTheComponentsOfFilesystemSpec() {
        assertSameFields("/spec/storages/any/filesystem", FilesystemSpec.class);
    }

    @Test
    void retentionPropertiesAreTheComponentsOfRetentionSpec() {
        assertSameFields("/spec/storages/any/retention", RetentionSpec.class);
    }

    @Test
    void schedulesIsAListOfScheduleSpecs() {
        assertThat(CRD.schemaAt("/spec/schedules").path("type").asText()).isEqualTo("array");
        assertSameFields("/spec/schedules/any", ScheduleSpec.class);
    }

    @Test
    void storagesIsAMapOfStorageSpecs() {
        Type storages = component(BackupConfigSpec.class, "storages").getGenericType();
        assertThat(storages).isInstanceOf(ParameterizedType.class);
        assertThat(((ParameterizedType) storages).getActualTypeArguments()).containsExactly(String.class, StorageSpec.class);
        JsonNode schema = CRD.schemaAt("/spec/storages");
        assertThat(schema.path("type").asText()).isEqualTo("object");
        assertThat(schema.path("properties").isMissingNode()).as("a map has no fixed properties").isTrue();
        assertThat(schema.path("additionalProperties").path("type").asText()).isEqualTo("object");
    }

    @Test
    void typeEnumIsTheWireNamesOfStorageType() {
        List<String> wireNames = Arrays.stream(StorageType.values()).map(StorageType::wireName).toList();
        List<String> inCrd = textValues(CRD.schemaAt("/spec/storages/any/type").path("enum"));
        assertThat(inCrd).containsExactlyInAnyOrderElementsOf(wireNames);
        wireNames.forEach(name -> assertThat(EventJson.MAPPER.convertValue(name, StorageType.class).wireName()).isEqualTo(name));
    }

    static List<Path> examples() {
        return ModuleFiles.yamlFiles(ModuleFiles.EXAMPLES);
    }

    @ParameterizedTest
    @MethodSource("examples")
    void readingAnExampleIntoBackupConfigSpecLosesNothing(Path example) {
        JsonNode spec = ModuleFiles.read(example).path("spec");
        JsonNode writtenBack = EventJson.tree(EventJson.read(spec, BackupConfigSpec.class));
        assertThat(JsonTrees.contains(writtenBack, spec))
                .as("%s spec written back from BackupConfigSpec:%n%s%nwas:%n%s", example, writtenBack, spec)
                .isTrue();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void backupConfigSpecWritesOnlyFieldsTheCrdKnows(Path example) {
        // What config-service publishes (the topology) or writes back must pass the same schema.
        JsonNode document = ModuleFiles.read(example).deepCopy();
        JsonNode spec = EventJson.tree(EventJson.read(document.path("spec"), BackupConfigSpec.class));
        ((ObjectNode) document).set("spec", spec);
        assertThat(BackupConfigSchema.of(CRD).refusals(document)).as("spec as BackupConfigSpec writes it: " + spec).isEmpty();
    }

    /** Same names, and each CRD type is the one Jackson writes for the component's Java type. */
    private static void assertSameFields(String pointer, Class<? extends Record> record) {
        JsonNode properties = CRD.schemaAt(pointer).path("properties");
        List<String> names = Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
        assertThat(textKeys(properties)).as("properties at " + pointer).containsExactlyInAnyOrderElementsOf(names);
        for (RecordComponent c : record.getRecordComponents()) {
            assertThat(properties.path(c.getName()).path("type").asText())
                    .as("type of %s.%s", record.getSimpleName(), c.getName())
                    .isEqualTo(openApiType(c.getType()));
        }
    }

    private static String openApiType(Class<?> java) {
        if (java == String.class || java.isEnum()) {
            return "string";
        }
        if (java == Integer.class || java == int.class || java == Long.class || java == long.class) {
            return "integer";
        }
        if (java == Boolean.class || java == boolean.class) {
            return "boolean";
        }
        if (List.class.isAssignableFrom(java)) {
            return "array";
        }
        if (java.isRecord() || Map.class.isAssignableFrom(java)) {
            return "object";
        }
        throw new IllegalArgumentException("no OpenAPI type for " + java);
    }

    private static RecordComponent component(Class<? extends Record> record, String name) {
        return Arrays.stream(record.getRecordComponents()).filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> textKeys(JsonNode object) {
        return object.properties().stream().map(Map.Entry::getKey).toList();
    }

    private static List<String> textValues(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
