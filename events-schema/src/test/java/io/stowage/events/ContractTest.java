package io.stowage.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.events.spec.*;
import io.stowage.events.data.PitrTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract as CONTRACT.md states it: every type has a schema and a fixture, lives on its topic, and its
 * schema documents exactly the fields its record carries.
 */
class ContractTest {
    /** The topics table of the contract (section 2), type by type. */
    private static final Map<String, String> CONTRACT_TOPICS = Map.ofEntries(
            entry("io.stowage.storage.changed.v1", "stowage.storage"),
            entry("io.stowage.config.rejected.v1", "stowage.storage"),
            entry("io.stowage.topology.applied.v1", "stowage.topology"),
            entry("io.stowage.backup.requested.v1", "stowage.backup"),
            entry("io.stowage.backup.started.v1", "stowage.backup"),
            entry("io.stowage.backup.progress.v1", "stowage.backup"),
            entry("io.stowage.backup.completed.v1", "stowage.backup"),
            entry("io.stowage.backup.failed.v1", "stowage.backup"),
            entry("io.stowage.backup.skipped.v1", "stowage.backup"),
            entry("io.stowage.backup.removed.v1", "stowage.backup"),
            entry("io.stowage.backup.delete.requested.v1", "stowage.backup"),
            entry("io.stowage.backup.delete.failed.v1", "stowage.backup"),
            entry("io.stowage.wal.removed.v1", "stowage.backup"),
            entry("io.stowage.retention.requested.v1", "stowage.resync"),
            entry("io.stowage.retention.completed.v1", "stowage.resync"),
            entry("io.stowage.retention.failed.v1", "stowage.resync"),
            entry("io.stowage.wal.archived.v1", "stowage.backup"),
            entry("io.stowage.wal.lag.v1", "stowage.backup"),
            entry("io.stowage.restore.requested.v1", "stowage.restore"),
            entry("io.stowage.restore.started.v1", "stowage.restore"),
            entry("io.stowage.restore.step.v1", "stowage.restore"),
            entry("io.stowage.restore.progress.v1", "stowage.restore"),
            entry("io.stowage.restore.completed.v1", "stowage.restore"),
            entry("io.stowage.restore.failed.v1", "stowage.restore"),
            entry("io.stowage.resync.requested.v1", "stowage.resync"),
            entry("io.stowage.resync.completed.v1", "stowage.resync"),
            entry("io.stowage.resync.failed.v1", "stowage.resync"),
            entry("io.stowage.catalog.backup.v1", "stowage.catalog"),
            entry("io.stowage.catalog.wal.v1", "stowage.catalog"),
            entry("io.stowage.event.rejected.v1", "stowage.rejected"));

    /** The shared definitions that describe a record of the spec, and that record. */
    private static final Map<String, Class<? extends Record>> DEFINITION_RECORDS = Map.ofEntries(
            entry("storageSpec", StorageSpec.class),
            entry("s3Spec", S3Spec.class),
            entry("filesystemSpec", FilesystemSpec.class),
            entry("retentionSpec", RetentionSpec.class),
            entry("storageLocation", StorageLocation.class),
            entry("topologyView", TopologyView.class),
            entry("pitrTarget", PitrTarget.class),
            entry("postgresSpec", PostgresSpec.class),
            entry("pitrSpec", PitrSpec.class),
            entry("scheduleSpec", ScheduleSpec.class),
            entry("configSpec", BackupConfigSpec.class));

    private static final JsonNode COMMON = GoldenEvents.resource("/schemas/common.json");

    @Test
    void everyTypeOfTheContractExistsAndNoOther() {
        assertThat(Arrays.stream(EventType.values()).map(EventType::type))
                .containsExactlyInAnyOrderElementsOf(CONTRACT_TOPICS.keySet());
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void typeLivesOnItsContractTopic(EventType type) {
        assertThat(Topics.ALL).extracting(Topics.TopicSpec::name).contains(type.topic());
        assertThat(type.topic()).isEqualTo(CONTRACT_TOPICS.get(type.type()));
        assertThat(type.type()).startsWith("io.stowage.").endsWith(".v1");
    }

    @Test
    void stateTopicsAreCompactedAndAuditTopicsKeepEverything() {
        Map<String, Map<String, String>> configs = Topics.ALL.stream()
                .collect(Collectors.toMap(Topics.TopicSpec::name, Topics.TopicSpec::configs));

        assertThat(configs.keySet()).containsExactlyInAnyOrder("stowage.storage", "stowage.topology",
                "stowage.backup", "stowage.restore", "stowage.resync", "stowage.catalog", "stowage.rejected");
        for (String state : List.of("stowage.topology", "stowage.catalog")) {
            assertThat(configs.get(state)).containsEntry("cleanup.policy", "compact");
        }
        for (String audit : List.of("stowage.storage", "stowage.backup", "stowage.restore", "stowage.resync",
                "stowage.rejected")) {
            assertThat(configs.get(audit))
                    .containsEntry("cleanup.policy", "delete")
                    .containsEntry("retention.ms", "-1");
        }
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void typeHasASchemaAndAFixture(EventType type) {
        assertThat(ContractTest.class.getResource(type.schemaResource())).as(type.schemaResource()).isNotNull();
        assertThat(ContractTest.class.getResource(GoldenEvents.fixtureResource(type)))
                .as(GoldenEvents.fixtureResource(type)).isNotNull();
    }

    @Test
    void schemaAndGoldenFoldersHoldNothingElse() throws Exception {
        Set<String> typeFiles = Arrays.stream(EventType.values()).map(t -> t.type() + ".json")
                .collect(Collectors.toSet());
        Set<String> schemaFiles = new HashSet<>(typeFiles);
        schemaFiles.add("common.json");

        assertThat(filesIn("/schemas")).containsExactlyInAnyOrderElementsOf(schemaFiles);
        assertThat(filesIn("/golden")).containsExactlyInAnyOrderElementsOf(typeFiles);
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void schemaFollowsTheHouseRules(EventType type) {
        JsonNode schema = EventSchemas.schemaOf(type);

        assertThat(schema.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.path("$id").asText()).isEqualTo("https://stowage.io/schemas/" + type.type() + ".json");
        assertThat(schema.path("title").asText()).isEqualTo(type.dataClass().getSimpleName());
        assertThat(schema.path("description").asText()).isNotBlank().contains(type.topic());
        assertThat(schema.path("type").asText()).isEqualTo("object");
        // Consumers must ignore what they do not know: the contract grows by adding fields.
        assertThat(schema.path("additionalProperties").isBoolean()).isTrue();
        assertThat(schema.path("additionalProperties").booleanValue()).isTrue();
        List<String> required = texts(schema.path("required"));
        assertThat(schema.path("properties").has("cluster")).isTrue();
        // Unreadable input may name no cluster: a rejected event without a key, a config file that does not parse.
        if (type == EventType.EVENT_REJECTED || type == EventType.CONFIG_REJECTED) {
            assertThat(required).doesNotContain("cluster");
        } else {
            assertThat(required).contains("cluster");
        }
        assertThat(fieldNames(schema.path("properties"))).containsAll(required);
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void schemaDescribesExactlyTheFieldsOfItsRecord(EventType type) {
        assertThat(fieldNames(EventSchemas.schemaOf(type).path("properties")))
                .containsExactlyInAnyOrderElementsOf(components(type.dataClass()));
    }

    @Test
    void sharedDefinitionsDescribeExactlyTheFieldsOfTheirRecords() {
        DEFINITION_RECORDS.forEach((definition, record) ->
                assertThat(fieldNames(COMMON.path("$defs").path(definition).path("properties")))
                        .as(definition)
                        .containsExactlyInAnyOrderElementsOf(components(record)));
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void schemaCarriesIdenticalCopiesOfTheSharedDefinitions(EventType type) {
        JsonNode defs = EventSchemas.schemaOf(type).path("$defs");

        for (String name : fieldNames(defs)) {
            assertThat(COMMON.path("$defs").has(name)).as("common.json defines " + name).isTrue();
            assertThat(defs.get(name)).as(name + " in " + type.type()).isEqualTo(COMMON.path("$defs").get(name));
        }
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyReferenceResolvesInsideItsOwnFile(EventType type) {
        JsonNode schema = EventSchemas.schemaOf(type);

        List<String> refs = refs(schema).toList();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/$defs/");
            assertThat(schema.at(ref.substring(1)).isMissingNode()).as(ref + " in " + type.type()).isFalse();
        }
        assertThat(refs(COMMON)).allSatisfy(ref ->
                assertThat(COMMON.at(ref.substring(1)).isMissingNode()).as(ref).isFalse());
    }

    private static Stream<String> refs(JsonNode node) {
        Stream<String> own = node.has("$ref") ? Stream.of(node.get("$ref").asText()) : Stream.empty();
        List<JsonNode> children = new ArrayList<>();
        node.elements().forEachRemaining(children::add);
        return Stream.concat(own, children.stream().flatMap(ContractTest::refs));
    }

    private static List<String> components(Class<?> record) {
        return Arrays.stream(record.getRecordComponents()).map(c -> c.getName()).toList();
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static List<String> filesIn(String folder) throws IOException, URISyntaxException {
        Path dir = Path.of(Objects.requireNonNull(ContractTest.class.getResource(folder), folder).toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }
}
