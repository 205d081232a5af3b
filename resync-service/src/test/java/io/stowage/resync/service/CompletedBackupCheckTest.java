package io.stowage.resync.service;

import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.resync.scan.StorageFill;
import io.stowage.resync.scan.StorageScan;
import io.stowage.storage.BackupManifest;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.Storages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** A reported completed backup checked against real filesystem storages (and an S3 endpoint that does not answer). */
class CompletedBackupCheckTest {
    @TempDir
    Path root;

    @Test
    void aBackupReallyThereIsListedAsAResyncWouldListIt() throws Exception {
        BackupManifest m;
        try (BackupStorage a = open("a")) {
            m = StorageFill.backup(a, "pg1", "b1", 100);
        }

        List<CompletedBackupCheck.Verdict> verdicts = check().check(completed(m, "a"));

        CatalogBackup scanned;
        try (BackupStorage a = open("a")) {
            scanned = (CatalogBackup) new StorageScan().scan("pg1", a).entries().get(CatalogBackup.key("pg1", "a", "b1"));
        }
        assertThat(verdicts).containsExactly(new CompletedBackupCheck.Listed("a", scanned));
        assertThat(scanned.complete()).isTrue();
    }

    @Test
    void noManifestOrOneThatSaysOtherwiseIsRefusedPerStorage() throws Exception {
        BackupManifest m;
        try (BackupStorage a = open("a"); BackupStorage b = open("b")) {
            m = StorageFill.backup(a, "pg1", "b1", 100);
            // On b, a manifest of another backup copied into b1's folder.
            b.writeSmall("backups/b1/stowage.json", StorageFill.manifest("pg2", "b7", 50, "b").toJson());
        }
        BackupCompleted event = completed(m, "a", "b", "c");

        assertThat(check().check(new BackupCompleted("pg1", "b1", List.of("a"), m.startLsn(), "0/9000100", m.timeline(),
                m.startTime(), m.stopTime(), m.tarBytes(), 99))).singleElement().isEqualTo(new CompletedBackupCheck.Refused(
                "a", "stowage.json does not match the event: stopLsn is 0/5000138 in the manifest, 0/9000100 in the"
                + " event; storedBytes is 100 in the manifest, 99 in the event"));
        List<CompletedBackupCheck.Verdict> verdicts = check().check(event);
        assertThat(verdicts.get(0)).isInstanceOf(CompletedBackupCheck.Listed.class);
        assertThat(verdicts.get(1)).isInstanceOfSatisfying(CompletedBackupCheck.Refused.class, r -> assertThat(r.reason())
                .contains("backupId is b7 in the manifest, b1 in the event", "cluster is pg2 in the manifest, pg1"));
        assertThat(verdicts.get(2)).isEqualTo(new CompletedBackupCheck.Refused("c", "no stowage.json in backups/b1/"));
        assertThat(check().check(completed(m, "elsewhere"))).containsExactly(new CompletedBackupCheck.Refused(
                "elsewhere", "cluster pg1 has no storage elsewhere in the applied topology"));
    }

    @Test
    void aStorageThatDoesNotAnswerLeavesTheBackupUnread() throws Exception {
        BackupManifest m = StorageFill.manifest("pg1", "b1", 100, "down");

        assertThat(check().check(completed(m, "down"))).singleElement()
                .isInstanceOfSatisfying(CompletedBackupCheck.Unread.class, u -> assertThat(u.reason())
                        .startsWith("cannot read its stowage.json: storage 'down'"));
    }

    private CompletedBackupCheck check() {
        Map<String, StorageSpec> storages = new TreeMap<>();
        for (String name : List.of("a", "b", "c")) {
            storages.put(name, spec(name).withMain(name.equals("a")));
        }
        // Port 9 (discard) is closed here: connections are refused at once.
        storages.put("down", new StorageSpec(false, StorageType.S3, new S3Spec("backups", "us-east-1",
                "http://127.0.0.1:9", null, true, "s3-creds", null, null), null));
        TopologyApplied topology = new TopologyApplied("pg1", 1, "a", List.of("b", "c", "down"), new BackupConfigSpec(
                new PostgresSpec("127.0.0.1", 5432, "postgres", null, null, null, null), new PitrSpec(false), storages),
                false, "test");
        return new CompletedBackupCheck(cluster -> cluster.equals("pg1") ? Optional.of(topology) : Optional.empty(),
                () -> true, (t, storage) -> Storages.open(t.cluster(), storage, t.spec().storages().get(storage),
                (secret, key) -> "test".getBytes()));
    }

    private StorageSpec spec(String name) {
        return new StorageSpec(false, StorageType.FILESYSTEM, null, new FilesystemSpec(root.resolve(name).toString(), null));
    }

    private BackupStorage open(String name) {
        return Storages.open("pg1", name, spec(name), (secret, key) -> new byte[0]);
    }

    private static BackupCompleted completed(BackupManifest m, String... storages) {
        return new BackupCompleted("pg1", m.backupId(), List.of(storages), m.startLsn(), m.stopLsn(), m.timeline(),
                m.startTime(), m.stopTime(), m.tarBytes(), m.objects().stream()
                .mapToLong(BackupManifest.StoredObject::sizeBytes).sum());
    }
}
