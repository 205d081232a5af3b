package io.stowage.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stowage.events.data.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.stowage.events.CloudEventCodec.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** CloudEvents binary mode: what goes out in headers and value comes back equal; bad input is refused with a reason. */
class CloudEventCodecTest {
    private static final String SOURCE = "urn:stowage:test";
    private static final OffsetDateTime TIME = OffsetDateTime.parse("2026-11-22T10:15:30.123Z");

    // ---- what goes out comes back

    @ParameterizedTest
    @EnumSource(EventType.class)
    void headersAndValueDecodeToAnEqualEnvelope(EventType type) throws InvalidEventException {
        Envelope<StowageEvent> sent = new Envelope<>("3b0c4e7e-6a1d-4f2b-9b8e-0d5f1c2a7e91", SOURCE, type, TIME,
                GoldenEvents.CLUSTER, "corr-1", "cause-1", GoldenEvents.example(type));

        Envelope<StowageEvent> received = decode(headers(sent), value(sent));

        assertThat(received).isEqualTo(sent);
    }

    @Test
    void aRootEventDecodesToAnEqualEnvelope() throws InvalidEventException {
        Envelope<BackupRequested> sent = Envelope.root(SOURCE, backupRequested());

        assertThat(decode(headers(sent), value(sent))).isEqualTo(sent);
    }

    @Test
    void theTraceContextTravelsAsCeTraceparentAndEveryEventCausedByOneInheritsIt() throws InvalidEventException {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Envelope<BackupRequested> request = Envelope.root(SOURCE, backupRequested()).withTraceparent(traceparent);

        Map<String, byte[]> headers = headers(request);

        assertThat(text(headers)).containsEntry("ce_traceparent", traceparent);
        assertThat(decode(headers, value(request)).traceparent()).isEqualTo(traceparent);
        assertThat(Envelope.causedBy(request, SOURCE, backupRequested()).traceparent()).isEqualTo(traceparent);
        assertThat(headers(Envelope.root(SOURCE, backupRequested()))).doesNotContainKey("ce_traceparent");
    }

    @Test
    void aMalformedTraceContextIsDroppedAndTheEventStillDecodes() throws InvalidEventException {
        Envelope<BackupRequested> request = Envelope.root(SOURCE, backupRequested());
        Map<String, byte[]> headers = new LinkedHashMap<>(headers(request));
        headers.put("ce_traceparent", bytes("not-a-trace"));

        Envelope<StowageEvent> received = decode(headers, value(request));

        assertThat(received.traceparent()).isNull();
        assertThat(received.id()).isEqualTo(request.id());
    }

    @Test
    void headersAreTheCloudEventsBinaryModeAttributesAndTheValueIsTheData() throws Exception {
        Envelope<BackupRequested> event = new Envelope<>("id-1", SOURCE, EventType.BACKUP_REQUESTED, TIME,
                "pg1", "corr-1", "cause-1", backupRequested());

        Map<String, byte[]> headers = headers(event);

        assertThat(text(headers)).containsExactly(
                Map.entry("ce_specversion", "1.0"),
                Map.entry("ce_id", "id-1"),
                Map.entry("ce_source", SOURCE),
                Map.entry("ce_type", "io.stowage.backup.requested.v1"),
                Map.entry("ce_time", "2026-11-22T10:15:30.123Z"),
                Map.entry("ce_subject", "pg1"),
                Map.entry("ce_correlationid", "corr-1"),
                Map.entry("ce_causationid", "cause-1"),
                Map.entry("content-type", "application/json"));
        assertThat(EventJson.parse(value(event)))
                .isEqualTo(GoldenEvents.fixture(EventType.BACKUP_REQUESTED));
    }

    @Test
    void aRootEventHasNoCausationHeaderAndItsCorrelationIsItsOwnId() {
        Envelope<BackupRequested> root = Envelope.root(SOURCE, backupRequested());

        Map<String, byte[]> headers = headers(root);

        assertThat(root.correlationId()).isEqualTo(root.id());
        assertThat(root.causationId()).isNull();
        assertThat(headers).doesNotContainKey(H_CAUSATION);
        assertThat(root.subject()).isEqualTo("pg1");
    }

    @Test
    void anEventWithoutCorrelationHeaderStartsItsOwnCorrelation() throws InvalidEventException {
        Map<String, byte[]> headers = validHeaders();
        headers.remove(H_CORRELATION);
        headers.remove(H_CAUSATION);

        Envelope<StowageEvent> received = decode(headers, validValue());

        assertThat(received.correlationId()).isEqualTo(received.id());
        assertThat(received.causationId()).isNull();
    }

    @Test
    void anEventWithoutSubjectTakesTheClusterOfItsData() throws InvalidEventException {
        Map<String, byte[]> headers = validHeaders();
        headers.remove(H_SUBJECT);

        assertThat(decode(headers, validValue()).subject()).isEqualTo("pg1");
    }

    @Test
    void causedByKeepsTheCorrelationAndNamesItsCause() {
        Envelope<StorageChanged> mainChanged = Envelope.root("config-service", (StorageChanged)
                GoldenEvents.example(EventType.STORAGE_CHANGED));

        Envelope<ResyncRequested> resync = Envelope.causedBy(mainChanged, "config-service",
                (ResyncRequested) GoldenEvents.example(EventType.RESYNC_REQUESTED));
        Envelope<ResyncCompleted> completed = Envelope.causedBy(resync, "resync-service",
                (ResyncCompleted) GoldenEvents.example(EventType.RESYNC_COMPLETED));

        assertThat(resync.correlationId()).isEqualTo(mainChanged.id());
        assertThat(resync.causationId()).isEqualTo(mainChanged.id());
        assertThat(completed.correlationId()).isEqualTo(mainChanged.id());
        assertThat(completed.causationId()).isEqualTo(resync.id());
        assertThat(List.of(mainChanged.id(), resync.id(), completed.id())).doesNotHaveDuplicates();
        assertThat(resync.type()).isEqualTo(EventType.RESYNC_REQUESTED);
        assertThat(resync.subject()).isEqualTo("pg1");
        assertThat(text(headers(completed)))
                .containsEntry(H_CORRELATION, mainChanged.id())
                .containsEntry(H_CAUSATION, resync.id());
    }

    // ---- bad input is refused with a reason

    @Test
    void refusesAValueThatIsNotJson() {
        assertThat(refusal(validHeaders(), bytes("{\"cluster\": \"pg1\", oops")))
                .contains("not JSON");
    }

    @Test
    void aRefusalNeverEchoesTheValueItRefused() {
        String key = "AKIAIOSFODNN7EXAMPLE";
        assertThat(refusal(validHeaders(), bytes(key + "/wJalrXUtnFEMI/K7MDENG")))
                .contains("not JSON", "line 1")
                .doesNotContain(key);
    }

    @Test
    void writesCeTimeAsRfc3339EvenOnAWholeMinute() {
        Envelope<?> e = new Envelope<>("id-1", "/t", EventType.RESYNC_REQUESTED,
                java.time.OffsetDateTime.parse("2026-11-22T10:15:00Z"), "pg1", "id-1", null,
                new io.stowage.events.data.ResyncRequested("pg1", "local", null, "test"));
        assertThat(text(headers(e))).containsEntry(H_TIME, "2026-11-22T10:15:00Z");
    }

    @Test
    void refusesAJsonArray() {
        assertThat(refusal(validHeaders(), bytes("[{\"cluster\":\"pg1\"}]")))
                .contains("io.stowage.backup.requested.v1", "array found, object expected");
    }

    @Test
    void refusesAnEmptyValue() {
        assertThat(refusal(validHeaders(), new byte[0])).contains("no data");
    }

    @Test
    void refusesARecordWithoutSpecVersion() {
        Map<String, byte[]> headers = validHeaders();
        headers.remove(H_SPECVERSION);

        assertThat(refusal(headers, validValue())).contains("ce_specversion");
    }

    @Test
    void refusesAnotherSpecVersion() {
        Map<String, byte[]> headers = validHeaders();
        headers.put(H_SPECVERSION, bytes("0.3"));

        assertThat(refusal(headers, validValue())).contains("specversion", "0.3");
    }

    @Test
    void refusesARecordWithoutId() {
        Map<String, byte[]> headers = validHeaders();
        headers.remove(H_ID);

        assertThat(refusal(headers, validValue())).contains("ce_id");
    }

    @Test
    void refusesAnUnknownType() {
        Map<String, byte[]> headers = validHeaders();
        headers.put(H_TYPE, bytes("io.stowage.backup.requested.v9"));

        InvalidEventException e = refused(headers, validValue());

        assertThat(e.getMessage()).contains("unknown event type", "io.stowage.backup.requested.v9");
        assertThat(e.type()).isEqualTo("io.stowage.backup.requested.v9");
        assertThat(e.id()).isEqualTo("id-1");
    }

    @Test
    void refusesAnotherContentType() {
        Map<String, byte[]> headers = validHeaders();
        headers.put(H_CONTENT_TYPE, bytes("application/avro"));

        assertThat(refusal(headers, validValue())).contains("content-type", "application/avro");
    }

    @Test
    void refusesATimeThatIsNotRfc3339() {
        Map<String, byte[]> headers = validHeaders();
        headers.put(H_TIME, bytes("22/11/2026 10:15"));

        assertThat(refusal(headers, validValue())).contains("ce_time");
    }

    @Test
    void refusesDataWithoutCluster() {
        ObjectNode data = GoldenEvents.fixture(EventType.BACKUP_REQUESTED);
        data.remove("cluster");

        InvalidEventException e = refused(validHeaders(), bytes(data.toString()));

        assertThat(e.getMessage()).contains("required property 'cluster'");
        assertThat(e.type()).isEqualTo("io.stowage.backup.requested.v1");
        assertThat(e.id()).isEqualTo("id-1");
    }

    @Test
    void refusesARestoreFromTwoStorages() {
        ObjectNode data = GoldenEvents.fixture(EventType.RESTORE_REQUESTED);
        data.putArray("storage").add("local").add("dr-copy");

        assertThat(refusal(headersFor(EventType.RESTORE_REQUESTED), bytes(data.toString())))
                .contains("$.storage", "array found, string expected");
    }

    @Test
    void refusesARestoreWithNeitherStorageNorBackupSource() {
        ObjectNode data = GoldenEvents.fixture(EventType.RESTORE_REQUESTED);
        data.remove(List.of("storage", "backupSource"));

        assertThat(refusal(headersFor(EventType.RESTORE_REQUESTED), bytes(data.toString())))
                .contains("'storage'", "'backupSource'");
    }

    @Test
    void refusesAResyncOfBothAStorageAndAScope() {
        ObjectNode data = GoldenEvents.fixture(EventType.RESYNC_REQUESTED);
        data.put("scope", "all");

        assertThat(refusal(headersFor(EventType.RESYNC_REQUESTED), bytes(data.toString())))
                .contains("storage", "scope");
    }

    @Test
    void refusesAPitrTargetWithBothTimeAndLsn() {
        ObjectNode data = GoldenEvents.fixture(EventType.RESTORE_REQUESTED);
        data.withObjectProperty("pitr").put("lsn", "0/3000028");

        assertThat(refusal(headersFor(EventType.RESTORE_REQUESTED), bytes(data.toString())))
                .contains("$.pitr", "time", "lsn");
    }

    @Test
    void refusesALiteralKeyInPlaceOfASecretNameAndDoesNotRepeatIt() {
        String key = "AKIAIOSFODNN7EXAMPLE/abc+def";
        ObjectNode data = GoldenEvents.fixture(EventType.RESTORE_REQUESTED);
        data.withObjectProperty("backupSource").withObjectProperty("s3").put("credentialsSecret", key);

        String reason = refusal(headersFor(EventType.RESTORE_REQUESTED), bytes(data.toString()));

        assertThat(reason).contains("$.backupSource.s3.credentialsSecret");
        // The reason travels on in event.rejected.v1: it must not carry the key onto the bus.
        assertThat(reason).doesNotContain("AKIAIOSFODNN7EXAMPLE");
    }

    @Test
    void refusesASubjectThatIsNotTheCluster() {
        Map<String, byte[]> headers = validHeaders();
        headers.put(H_SUBJECT, bytes("pg2"));

        assertThat(refusal(headers, validValue())).contains("ce_subject", "pg2", "data.cluster", "pg1");
    }

    // ---- helpers

    private static BackupRequested backupRequested() {
        return (BackupRequested) GoldenEvents.example(EventType.BACKUP_REQUESTED);
    }

    private static Map<String, byte[]> validHeaders() {
        return headersFor(EventType.BACKUP_REQUESTED);
    }

    private static byte[] validValue() {
        return value(envelope(EventType.BACKUP_REQUESTED));
    }

    /** Valid headers for a type, in a map the test may change. */
    private static Map<String, byte[]> headersFor(EventType type) {
        return new LinkedHashMap<>(headers(envelope(type)));
    }

    private static Envelope<StowageEvent> envelope(EventType type) {
        return new Envelope<>("id-1", SOURCE, type, TIME, GoldenEvents.CLUSTER, "corr-1", null,
                GoldenEvents.example(type));
    }

    private static InvalidEventException refused(Map<String, byte[]> headers, byte[] value) {
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> decode(headers, value));
        assertThat(e).as("decode refuses the record").isNotNull();
        return e;
    }

    private static String refusal(Map<String, byte[]> headers, byte[] value) {
        return refused(headers, value).getMessage();
    }

    private static Map<String, String> text(Map<String, byte[]> headers) {
        Map<String, String> text = new LinkedHashMap<>();
        headers.forEach((k, v) -> text.put(k, new String(v, StandardCharsets.UTF_8)));
        return text;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
