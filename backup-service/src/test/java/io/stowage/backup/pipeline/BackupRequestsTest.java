package io.stowage.backup.pipeline;

import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BackupRequestsTest {
    static final TopologyApplied PG1 = new TopologyApplied("pg1", 3, "s3-main", List.of("local"),
            new BackupConfigSpec(new PostgresSpec("127.0.0.1", 5432, "postgres", null, null, null, null),
                    new PitrSpec(true), Map.of(
                    "s3-main", new StorageSpec(true, StorageType.S3,
                            new S3Spec("backups", null, null, null, null, null, null, null), null),
                    "local", new StorageSpec(false, StorageType.FILESYSTEM, null, new FilesystemSpec("/srv", null)))),
            false, "pg1.yaml");

    @Test
    void noStorageNamedMeansTheMain() {
        BackupRequests.Decision d = decide(new BackupRequested("pg1", null, "b1"), PG1, "e1");
        assertThat(d.refusal()).isNull();
        assertThat(d.plan().storages()).containsOnlyKeys("s3-main");
        assertThat(d.plan().backupId()).isEqualTo("b1");
    }

    @Test
    void severalStoragesInTheOrderAsked() {
        BackupRequests.Decision d = decide(new BackupRequested("pg1", List.of("local", "s3-main"), null),
                PG1, "6c1e0b0e-3b8a-4b5e-9a57-2f7a4c1d9e10");
        assertThat(d.plan().storages().keySet()).containsExactly("local", "s3-main");
        assertThat(d.backupId()).as("derived from the event id, stable on redelivery")
                .isEqualTo("6c1e0b0e-3b8a-4b5e-9a57-2f7a4c1d9e10");
    }

    @Test
    void anUnknownStorageIsRefusedNamingTheKnownOnes() {
        BackupRequests.Decision d = decide(new BackupRequested("pg1", List.of("local", "nas"), "b1"),
                PG1, "e1");
        assertThat(d.plan()).isNull();
        assertThat(d.refusal()).isEqualTo("unknown storage nas for cluster pg1 (its storages: local, s3-main)");
        assertThat(d.storages()).containsExactly("local", "nas");
    }

    @Test
    void anUnknownClusterIsRefused() {
        BackupRequests.Decision d = decide(new BackupRequested("pg9", null, "b1"), null, "e1");
        assertThat(d.refusal()).startsWith("unknown cluster pg9");
    }

    @Test
    void aBackupIdThatNamesNoFolderIsRefused() {
        for (String id : List.of(".hidden", "-x", "a/b", "x".repeat(129))) {
            assertThat(decide(new BackupRequested("pg1", null, id), PG1, "e1").refusal()).as(id)
                    .isEqualTo("backupId must be letters, digits, '.', '_' or '-' (at most 128)");
        }
        assertThat(decide(new BackupRequested("pg1", null, "x".repeat(128)), PG1, "e1").refusal())
                .isNull();
    }

    @Test
    void aClusterWithoutMainStorageIsRefused() {
        // What is left once a restore's backupSource, the temporary main, is reverted: no main, no profile.
        TopologyApplied reverted = new TopologyApplied("pg1", 5, null, List.of(),
                new BackupConfigSpec(PG1.spec().postgres(), new PitrSpec(false), Map.of()), false, "pg1.yaml");

        BackupRequests.Decision d = decide(new BackupRequested("pg1", null, "b1"), reverted, "e1");
        assertThat(d.plan()).isNull();
        assertThat(d.refusal()).isEqualTo("cluster pg1 has no main storage");
        assertThat(d.backupId()).isEqualTo("b1");
        assertThat(d.storages()).isEmpty();

        BackupRequests.Decision named = decide(new BackupRequested("pg1", List.of("local"), "b2"),
                reverted, "e2");
        assertThat(named.plan()).isNull();
        assertThat(named.refusal()).isEqualTo("cluster pg1 has no main storage");
        assertThat(named.storages()).containsExactly("local");
    }

    @Test
    void anEventIdThatIsNoValidBackupIdIsMadeOne() {
        assertThat(BackupRequests.derivedId("ci:run/42")).isEqualTo("ci-run-42");
        assertThat(BackupRequests.derivedId("//x")).isEqualTo("x");
    }

    /** A request decided now, by the default late-after of one minute (only schedules' backups can be late). */
    private static BackupRequests.Decision decide(BackupRequested request, TopologyApplied topology, String eventId) {
        return BackupRequests.decide(request, topology, eventId, java.time.Instant.now(), java.time.Duration.ofMinutes(1));
    }
}
