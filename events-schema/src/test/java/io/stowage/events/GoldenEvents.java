package io.stowage.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stowage.events.data.*;
import io.stowage.events.spec.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden examples of the wire format: one JSON fixture per type (src/test/resources/golden) and the same
 * event built in Java, field by field, so that a renamed record component no longer matches its fixture.
 */
final class GoldenEvents {
    static final String CLUSTER = "pg1";

    private GoldenEvents() {
    }

    /** The classpath resource of a type's golden fixture. */
    static String fixtureResource(EventType type) {
        return "/golden/" + type.type() + ".json";
    }

    /** A fresh, mutable copy of a type's golden fixture. */
    static ObjectNode fixture(EventType type) {
        return (ObjectNode) resource(fixtureResource(type));
    }

    /**
     * An object as it travels: written to bytes with {@link EventJson} and parsed back, so numbers compare by value
     * (a {@code long} field is a LongNode in memory but reads back as the same JSON number as the fixture's).
     */
    static JsonNode onTheWire(Object value) {
        try {
            return EventJson.parse(EventJson.write(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode resource(String name) {
        try (InputStream in = GoldenEvents.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return EventJson.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event of the golden fixture, built in code. */
    static StowageEvent example(EventType type) {
        return switch (type) {
            case STORAGE_CHANGED -> new StorageChanged(CLUSTER, StorageChange.MAIN_CHANGED, "local", "s3-us-west",
                    new TopologyView("local", List.of("s3-us-west"), ordered(
                            "local", localLocation(),
                            "s3-us-west", new StorageLocation(StorageType.S3, "backups", "us-west-2",
                                    "https://s3.example.internal:9000", null, "stowage/pg1"))),
                    "spec.storages.local.main set to true in .stowage/config/pg1.yaml");
            case CONFIG_REJECTED -> new ConfigRejected(CLUSTER, ".stowage/config/pg1.yaml", 1, "spec.storages",
                    "2 storages have main: true (local, s3-us-west); exactly one storage must be the main");
            case TOPOLOGY_APPLIED -> new TopologyApplied(CLUSTER, 7, "s3-us-west", List.of("local"),
                    new BackupConfigSpec(
                            new PostgresSpec("127.0.0.1", 5432, "postgres", "pg1-credentials", "/srv/pg1/data",
                                    "/usr/lib/postgresql/15/bin", "postgres"),
                            new PitrSpec(true),
                            ordered(
                                    "s3-us-west", new StorageSpec(true, StorageType.S3,
                                            new S3Spec("backups", "us-west-2", "https://s3.example.internal:9000",
                                                    "stowage/pg1", true, "s3-creds", "s3-ca", false), null),
                                    "local", new StorageSpec(false, StorageType.FILESYSTEM, null,
                                            new FilesystemSpec("/srv/backups", "stowage/pg1")))),
                    false, ".stowage/config/pg1.yaml");
            case BACKUP_REQUESTED -> new BackupRequested(CLUSTER, List.of("s3-us-west", "local"), "nightly-20261122");
            case BACKUP_STARTED -> new BackupStarted(CLUSTER, "nightly-20261122", List.of("s3-us-west", "local"));
            case BACKUP_PROGRESS -> new BackupProgress(CLUSTER, "nightly-20261122", 734003200L, 1395864371L,
                    251658240L);
            case BACKUP_COMPLETED -> new BackupCompleted(CLUSTER, "nightly-20261122", List.of("s3-us-west", "local"),
                    "0/5000028", "0/5000138", "00000001",
                    OffsetDateTime.parse("2026-11-22T03:00:00.412Z"), OffsetDateTime.parse("2026-11-22T03:00:06.125Z"),
                    1395864371L, 305135616L);
            case BACKUP_FAILED -> new BackupFailed(CLUSTER, "nightly-20261122", List.of("s3-us-west", "local"),
                    "storage local: cannot write /srv/backups/stowage/pg1/backups/nightly-20261122/base.tar.zst: "
                            + "No space left on device");
            case WAL_ARCHIVED -> new WalArchived(CLUSTER, "s3-us-west", "00000001", "000000010000000000000005",
                    16777216L, "be9529e7f6c7afd18495df632d226967cc9fe87d332e46f1d4c58fcc61c170b9", 4190208L,
                    OffsetDateTime.parse("2026-11-22T03:14:07.218Z"));
            case CATALOG_BACKUP -> new CatalogBackup(CLUSTER, "s3-us-west", "nightly-20261122", CatalogBackup.COMPLETE,
                    null, "0/5000028", "0/5000138", "00000001", OffsetDateTime.parse("2026-11-22T03:00:00.412Z"),
                    OffsetDateTime.parse("2026-11-22T03:00:06.125Z"), 1395864371L, 305135616L,
                    "3f1c5b0d8e2a4c6e9b7a1d3f5e7c9b2a4d6f8e0c2b4a6d8f0e2c4b6a8d0f2e4c");
            case CATALOG_WAL -> new CatalogWal(CLUSTER, "s3-us-west", "00000001", List.of(
                    new CatalogWal.SegmentRange("000000010000000000000003", "00000001000000000000001F"),
                    new CatalogWal.SegmentRange("000000010000000000000025", "000000010000000100000002")),
                    251, false);
            case BACKUP_SKIPPED -> new BackupSkipped(CLUSTER, "nightly", OffsetDateTime.parse("2026-11-22T02:00:00Z"),
                    "nightly-20261122T0200Z", "restore dr-drill-7 is running: a cluster being restored fires no schedule");
            case BACKUP_REMOVED -> new BackupRemoved(CLUSTER, "local", "nightly-20261108T0200Z", BackupRemoved.RETENTION,
                    "retention keep 14: 14 newer complete backups on the storage", 3);
            case BACKUP_DELETE_REQUESTED -> new BackupDeleteRequested(CLUSTER, "nightly-20261122T0200Z", "local", false,
                    "asked with ./stowage backup delete");
            case BACKUP_DELETE_FAILED -> new BackupDeleteFailed(CLUSTER, "nightly-20261122T0200Z", "local",
                    "restore dr-drill-7 is running from it on storage 'local': it is removed once the restore has "
                            + "ended, or delete it then");
            case WAL_REMOVED -> new WalRemoved(CLUSTER, "s3-us-west", "00000001", "000000010000000000000003",
                    "00000001000000000000001F", 29, BackupRemoved.RETENTION, "before the start of backup "
                    + "nightly-20261109T0200Z on local (0/20000028, timeline 00000001), the oldest kept on any storage");
            case RETENTION_REQUESTED -> new RetentionRequested(CLUSTER, "asked with ./stowage retention apply");
            case RETENTION_COMPLETED -> new RetentionCompleted(CLUSTER, 2, 1, 29, 0, 412L);
            case RETENTION_FAILED -> new RetentionFailed(CLUSTER,
                    "storage 's3-us-west': 403 Forbidden (credentials from secret s3-creds)");
            case WAL_LAG -> new WalLag(CLUSTER, "s3-us-west", WalLag.LAGGING, 12, 201326592L, 1073741824L,
                    "000000010000000000000005", 94, false, "storage 's3-us-west': connect timed out");
            case RESTORE_REQUESTED -> new RestoreRequested(CLUSTER, "latest", "dr-copy",
                    new PitrTarget(OffsetDateTime.parse("2026-11-22T09:30:00Z"), null),
                    new StorageSpec(null, StorageType.S3,
                            new S3Spec("backups-dr", "us-east-1", null, "stowage/pg1", null, "dr-s3-creds", null, null),
                            null),
                    true, "restore-20261122-0930", null);
            case RESTORE_STARTED -> new RestoreStarted(CLUSTER, "restore-20261122-0930", "nightly-20261122",
                    "dr-copy");
            case RESTORE_STEP -> new RestoreStep(CLUSTER, "restore-20261122-0930", RestoreStepName.FETCH_BASE_BACKUP,
                    RestoreStepStatus.COMPLETED,
                    "base.tar.zst (1.2 GiB) checked and extracted into /srv/pg1/data.restore-20261122-0930");
            case RESTORE_PROGRESS -> new RestoreProgress(CLUSTER, "restore-20261122-0930", "fetch-base-backup",
                    "running for 42 s");
            case RESTORE_COMPLETED -> new RestoreCompleted(CLUSTER, "restore-20261122-0930", "nightly-20261122",
                    "dr-copy", "/srv/pg1/data", "/srv/pg1/data.before-restore-20261122-0930");
            case RESTORE_FAILED -> new RestoreFailed(CLUSTER, "restore-20261122-0930", "check-wal-chain",
                    "WAL gap on timeline 00000001: 000000010000000000000007 to 000000010000000000000009 "
                            + "are on no storage");
            case RESYNC_REQUESTED -> new ResyncRequested(CLUSTER, "local", null,
                    "main storage changed from s3-us-west to local");
            case RESYNC_COMPLETED -> new ResyncCompleted(CLUSTER, "local", 12, 3, 1, 1, 842L);
            case RESYNC_FAILED -> new ResyncFailed(CLUSTER, "s3-us-west",
                    "s3://backups/stowage/pg1: 403 Forbidden (credentials from secret s3-creds)");
            case EVENT_REJECTED -> new EventRejected(CLUSTER, "stowage.restore", 0, 42L,
                    "io.stowage.restore.requested.v1", "7f1c0e9a-3b51-4c1e-9d7e-2f0a6c1b8e55", "restore-service",
                    "data does not match the schema of io.stowage.restore.requested.v1: "
                            + "$.storage: array found, string expected");
        };
    }

    static StorageLocation localLocation() {
        return new StorageLocation(StorageType.FILESYSTEM, null, null, null, "/srv/backups", "stowage/pg1");
    }

    private static <V> Map<String, V> ordered(String k1, V v1, String k2, V v2) {
        Map<String, V> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }
}
