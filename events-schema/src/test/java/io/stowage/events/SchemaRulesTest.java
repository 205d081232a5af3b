package io.stowage.events;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.stowage.events.EventType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

/**
 * The rules of the schemas, one at a time: each case starts from a valid golden fixture and changes one thing,
 * so the change alone decides whether the data passes, and a refusal names the field at fault.
 */
class SchemaRulesTest {

    static Stream<Arguments> refusedChanges() {
        return Stream.of(
                refusal(STORAGE_CHANGED, "unknown change", set("/change", "\"MAIN_MOVED\""), "$.change", "enumeration"),
                refusal(STORAGE_CHANGED, "change in lower case", set("/change", "\"main_changed\""), "$.change"),
                refusal(STORAGE_CHANGED, "MAIN_CHANGED without previousMain", remove("/previousMain"),
                        "previousMain"),
                refusal(STORAGE_CHANGED, "empty storage name", set("/storage", "\"\""), "$.storage"),
                refusal(STORAGE_CHANGED, "no topology", remove("/topology"), "topology"),
                refusal(STORAGE_CHANGED, "location of unknown type", set("/topology/storages/local/type", "\"gcs\""),
                        "$.topology.storages.local.type"),
                refusal(STORAGE_CHANGED, "s3 location without bucket", remove("/topology/storages/s3-us-west/bucket"),
                        "bucket"),
                refusal(CONFIG_REJECTED, "document 0", set("/document", "0"), "$.document"),
                refusal(CONFIG_REJECTED, "no reason", remove("/reason"), "reason"),
                refusal(TOPOLOGY_APPLIED, "storage of unknown type", set("/spec/storages/local/type", "\"azure\""),
                        "$.spec.storages.local.type"),
                refusal(TOPOLOGY_APPLIED, "type s3 without its s3 block", remove("/spec/storages/s3-us-west/s3"),
                        "s3"),
                refusal(TOPOLOGY_APPLIED, "filesystem without path",
                        remove("/spec/storages/local/filesystem/path"), "path"),
                refusal(TOPOLOGY_APPLIED, "a password in place of passwordSecret",
                        set("/spec/postgres/passwordSecret", "\"Sup3r S3cret!\""), "$.spec.postgres.passwordSecret"),
                refusal(TOPOLOGY_APPLIED, "a PEM in place of caBundleSecret",
                        set("/spec/storages/s3-us-west/s3/caBundleSecret", "\"-----BEGIN CERTIFICATE-----\""),
                        "caBundleSecret"),
                refusal(TOPOLOGY_APPLIED, "port out of range", set("/spec/postgres/port", "70000"), "port"),
                refusal(TOPOLOGY_APPLIED, "revision as text", set("/revision", "\"7\""), "$.revision"),
                refusal(RESTORE_REQUESTED, "a volume target with a data directory too",
                        set("/target", "{\"volume\":{\"claimName\":\"pg1-restored\",\"size\":\"10Gi\"},"
                                + "\"dataDirectory\":\"/srv/x\"}"), "$.target"),
                refusal(RESTORE_REQUESTED, "a volume without size",
                        set("/target", "{\"volume\":{\"claimName\":\"pg1-restored\"}}"), "size"),
                refusal(RESTORE_REQUESTED, "a claim name that is not a DNS subdomain",
                        set("/target", "{\"volume\":{\"claimName\":\"PG1_restored\",\"size\":\"10Gi\"}}"),
                        "$.target.volume.claimName"),
                refusal(RESTORE_REQUESTED, "a size that is not a quantity",
                        set("/target", "{\"volume\":{\"claimName\":\"pg1-restored\",\"size\":\"ten gigs\"}}"),
                        "$.target.volume.size"),
                refusal(RESTORE_REQUESTED, "a new instance without its port",
                        set("/target", "{\"dataDirectory\":\"/srv/drill\"}"), "port"),
                refusal(BACKUP_REQUESTED, "no cluster", remove("/cluster"), "cluster"),
                refusal(BACKUP_REQUESTED, "empty cluster", set("/cluster", "\"\""), "$.cluster"),
                refusal(BACKUP_REQUESTED, "blank cluster", set("/cluster", "\"  \""), "$.cluster"),
                refusal(BACKUP_REQUESTED, "cluster as a number", set("/cluster", "1"), "$.cluster"),
                refusal(BACKUP_REQUESTED, "the same storage twice", set("/storages", "[\"local\",\"local\"]"),
                        "$.storages", "unique"),
                refusal(BACKUP_REQUESTED, "an empty storage name", set("/storages", "[\"local\",\"\"]"),
                        "$.storages[1]"),
                refusal(BACKUP_REQUESTED, "storages as a single string", set("/storages", "\"local\""),
                        "$.storages"),
                refusal(BACKUP_REQUESTED, "a backupId that climbs out of its folder",
                        set("/backupId", "\"../../etc\""), "$.backupId"),
                refusal(BACKUP_COMPLETED, "timeline of 1 digit", set("/timeline", "\"1\""), "$.timeline"),
                refusal(BACKUP_COMPLETED, "timeline in lower case", set("/timeline", "\"0000000a\""), "$.timeline"),
                refusal(BACKUP_COMPLETED, "a time that is not RFC 3339", set("/startTime", "\"2026-11-22 03:00:00\""),
                        "$.startTime"),
                refusal(BACKUP_COMPLETED, "a time without offset", set("/stopTime", "\"2026-11-22T03:00:06\""),
                        "$.stopTime"),
                refusal(BACKUP_COMPLETED, "an LSN without slash", set("/stopLsn", "\"5000138\""), "$.stopLsn"),
                refusal(BACKUP_COMPLETED, "negative size", set("/sizeBytes", "-1"), "$.sizeBytes"),
                refusal(BACKUP_COMPLETED, "no storages", set("/storages", "[]"), "$.storages"),
                refusal(BACKUP_PROGRESS, "bytesDone as a fraction", set("/bytesDone", "1.5"), "$.bytesDone"),
                refusal(WAL_ARCHIVED, "segment name of 23 digits", set("/segment", "\"00000001000000000000005\""),
                        "$.segment"),
                refusal(WAL_ARCHIVED, "segment name in lower case",
                        set("/segment", "\"00000001000000000000000a\""), "$.segment"),
                refusal(WAL_ARCHIVED, "a path in place of a segment name",
                        set("/segment", "\"wal/00000001/000000010000000000000005\""), "$.segment"),
                refusal(WAL_ARCHIVED, "timeline with a non-hex digit", set("/timeline", "\"0000000G\""), "$.timeline"),
                refusal(WAL_ARCHIVED, "sha256 too short", set("/sha256", "\"abc\""), "$.sha256"),
                refusal(RESTORE_REQUESTED, "no backupId", remove("/backupId"), "backupId"),
                refusal(RESTORE_REQUESTED, "two storages", set("/storage", "[\"local\",\"dr-copy\"]"), "$.storage",
                        "array"),
                refusal(RESTORE_REQUESTED, "neither storage nor backupSource",
                        remove("/storage").andThen(remove("/backupSource")), "storage", "backupSource"),
                refusal(RESTORE_REQUESTED, "pitr with both time and lsn", set("/pitr/lsn", "\"0/3000028\""),
                        "$.pitr", "time", "lsn"),
                refusal(RESTORE_REQUESTED, "pitr with neither time nor lsn", set("/pitr", "{}"), "time", "lsn"),
                refusal(RESTORE_REQUESTED, "pitr lsn that is not an LSN",
                        set("/pitr", "{\"lsn\":\"0/3000028/1\"}"), "$.pitr.lsn"),
                refusal(RESTORE_REQUESTED, "pitr time that is not a time", set("/pitr/time", "\"yesterday\""),
                        "$.pitr.time"),
                refusal(RESTORE_REQUESTED, "a literal key in credentialsSecret",
                        set("/backupSource/s3/credentialsSecret", "\"AKIAIOSFODNN7EXAMPLE/abc+def\""),
                        "$.backupSource.s3.credentialsSecret"),
                refusal(RESTORE_REQUESTED, "backupSource of unknown type", set("/backupSource/type", "\"tape\""),
                        "$.backupSource.type"),
                refusal(RESTORE_REQUESTED, "backupAfterRestore as text", set("/backupAfterRestore", "\"yes\""),
                        "$.backupAfterRestore"),
                refusal(RESTORE_STEP, "unknown status", set("/status", "\"DONE\""), "$.status"),
                refusal(RESYNC_REQUESTED, "both storage and scope", set("/scope", "\"all\""), "storage", "scope"),
                refusal(RESYNC_REQUESTED, "neither storage nor scope", remove("/storage"), "storage", "scope"),
                refusal(RESYNC_REQUESTED, "scope in upper case",
                        remove("/storage").andThen(set("/scope", "\"ALL\"")), "$.scope"),
                refusal(RESYNC_COMPLETED, "negative count", set("/removed", "-1"), "$.removed"),
                refusal(EVENT_REJECTED, "negative partition", set("/partition", "-1"), "$.partition"),
                refusal(EVENT_REJECTED, "no reason", remove("/reason"), "reason"));
    }

    static Stream<Arguments> acceptedChanges() {
        return Stream.of(
                acceptance(STORAGE_CHANGED, "MAIN_SET needs no previousMain",
                        set("/change", "\"MAIN_SET\"").andThen(remove("/previousMain"))),
                acceptance(BACKUP_REQUESTED, "no storages: the main", remove("/storages")),
                acceptance(BACKUP_REQUESTED, "empty storages: the main", set("/storages", "[]")),
                acceptance(BACKUP_REQUESTED, "no backupId: derived from ce_id", remove("/backupId")),
                acceptance(BACKUP_REQUESTED, "a Kubernetes cluster id", set("/cluster", "\"prod/orders-db\"")),
                acceptance(BACKUP_REQUESTED, "a field from a newer producer", set("/priority", "\"high\"")),
                acceptance(BACKUP_COMPLETED, "a time with an offset", set("/startTime", "\"2026-11-22T04:00:00.412+01:00\"")),
                acceptance(WAL_ARCHIVED, "a timeline history file", set("/segment", "\"00000002.history\"")),
                acceptance(WAL_ARCHIVED, "a backup history file",
                        set("/segment", "\"000000010000000000000005.00000028.backup\"")),
                acceptance(WAL_ARCHIVED, "no checksum", remove("/sha256")),
                acceptance(RESTORE_REQUESTED, "backupSource without storage", remove("/storage")),
                acceptance(RESTORE_REQUESTED, "storage without backupSource", remove("/backupSource")),
                acceptance(RESTORE_REQUESTED, "pitr to an LSN", set("/pitr", "{\"lsn\":\"0/3000028\"}")),
                acceptance(RESTORE_REQUESTED, "pitr to an upper-case LSN", set("/pitr", "{\"lsn\":\"1A/FF000028\"}")),
                acceptance(RESTORE_REQUESTED, "no pitr: the end of the backup", remove("/pitr")),
                acceptance(RESTORE_REQUESTED, "a new volume", set("/target", "{\"volume\":{\"claimName\":"
                        + "\"pg1-restored\",\"storageClassName\":\"fast-ssd\",\"size\":\"50Gi\"}}")),
                acceptance(RESTORE_REQUESTED, "a new instance", set("/target", "{\"dataDirectory\":\"/srv/drill\","
                        + "\"port\":5433}")),
                acceptance(RESTORE_REQUESTED, "a dotted secret name",
                        set("/backupSource/s3/credentialsSecret", "\"dr.s3-creds\"")),
                acceptance(RESTORE_REQUESTED, "a filesystem backupSource",
                        set("/backupSource", "{\"type\":\"filesystem\",\"filesystem\":{\"path\":\"/mnt/dr\"}}")),
                acceptance(RESYNC_REQUESTED, "scope all", remove("/storage").andThen(set("/scope", "\"all\""))),
                acceptance(RESYNC_REQUESTED, "scope main", remove("/storage").andThen(set("/scope", "\"main\""))),
                acceptance(RESTORE_FAILED, "refused by the checks, before any step", remove("/step")),
                acceptance(EVENT_REJECTED, "a record without key, type or id",
                        remove("/cluster").andThen(remove("/type")).andThen(remove("/id"))),
                acceptance(EVENT_REJECTED, "a record with null key", set("/cluster", "null")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("refusedChanges")
    void refusesTheChange(EventType type, Consumer<ObjectNode> change, List<String> words) {
        ObjectNode data = GoldenEvents.fixture(type);
        assertThat(EventSchemas.violations(type, data)).as("the fixture before the change").isEmpty();

        change.accept(data);

        List<String> violations = EventSchemas.violations(type, data);
        assertThat(violations).isNotEmpty();
        assertThat(String.join("; ", violations)).contains(words);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("acceptedChanges")
    void acceptsTheChange(EventType type, Consumer<ObjectNode> change) {
        ObjectNode data = GoldenEvents.fixture(type);

        change.accept(data);

        assertThat(EventSchemas.violations(type, data)).isEmpty();
        assertThat(EventJson.read(data, type.dataClass())).isInstanceOf(type.dataClass());
    }

    private static Arguments refusal(EventType type, String what, Consumer<ObjectNode> change, String... words) {
        return Arguments.of(type, named(what, change), List.of(words));
    }

    private static Arguments acceptance(EventType type, String what, Consumer<ObjectNode> change) {
        return Arguments.of(type, named(what, change));
    }

    /** Sets the field at a JSON pointer to a JSON value, creating nothing on the way. */
    static Consumer<ObjectNode> set(String pointer, String json) {
        JsonPointer at = JsonPointer.compile(pointer);
        return root -> parent(root, at).set(at.last().getMatchingProperty(), parse(json));
    }

    static Consumer<ObjectNode> remove(String pointer) {
        JsonPointer at = JsonPointer.compile(pointer);
        return root -> assertThat(parent(root, at).remove(at.last().getMatchingProperty()))
                .as("field to remove " + pointer).isNotNull();
    }

    private static ObjectNode parent(ObjectNode root, JsonPointer at) {
        JsonNode parent = root.at(at.head());
        assertThat(parent.isObject()).as("object at " + at.head()).isTrue();
        return (ObjectNode) parent;
    }

    private static JsonNode parse(String json) {
        try {
            return EventJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
