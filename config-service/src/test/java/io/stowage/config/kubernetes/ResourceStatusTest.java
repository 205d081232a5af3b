package io.stowage.config.kubernetes;

import io.stowage.config.model.ConfigProblem;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.data.WalArchived;
import io.stowage.events.data.WalLag;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.postgres.RecoveryWindow;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("unchecked")
class ResourceStatusTest {
    static final Instant T1 = Instant.parse("2026-12-03T10:00:00Z");
    static final Instant T2 = Instant.parse("2026-12-03T11:00:00Z");
    static final TopologyApplied IN_FORCE = new TopologyApplied("databases/pg1", 3, "a", List.of("b"),
            new BackupConfigSpec(null, null, Map.of()), false, "BackupConfig databases/pg1");

    @Test
    void anAppliedGenerationShowsItsMainAndProfilesAndAnImpliedMainSaysSo() {
        Map<String, Object> status = ResourceStatus.of(ResourceStatus.Outcome.applied(4, IN_FORCE, true), Map.of(), T1);

        assertThat(status).containsEntry("observedGeneration", 4L).containsEntry("main", "a")
                .containsEntry("profiles", List.of("b")).doesNotContainKey("lastRejection");
        assertThat(condition(status, "Applied")).containsEntry("status", "True")
                .containsEntry("message", "main storage a (implied: the only storage), profiles b")
                .containsEntry("lastTransitionTime", T1.toString());
        assertThat(condition(status, "Ready")).containsEntry("status", "True");
    }

    @Test
    void aRefusalKeepsTheTopologyInForceReadyAndTimesStayWhileNothingChanges() {
        Map<String, Object> applied = ResourceStatus.of(ResourceStatus.Outcome.applied(4, IN_FORCE, false), Map.of(), T1);
        ConfigProblem refusal = new ConfigProblem("BackupConfig databases/pg1", 1, "databases/pg1",
                "spec.storages.b.s3.bucket", "type s3 requires s3.bucket");

        Map<String, Object> refused = ResourceStatus.of(new ResourceStatus.Outcome(5, IN_FORCE, false, refusal, null),
                applied, T2);

        assertThat(condition(refused, "Applied")).containsEntry("status", "False").containsEntry("reason", "Refused")
                .containsEntry("message", "spec.storages.b.s3.bucket: type s3 requires s3.bucket")
                .containsEntry("lastTransitionTime", T2.toString());
        assertThat(condition(refused, "Ready")).containsEntry("status", "True")
                .containsEntry("lastTransitionTime", T1.toString());
        assertThat(refused).containsEntry("main", "a").containsEntry("observedGeneration", 5L);
        assertThat(refused.get("lastRejection")).isEqualTo(Map.of("generation", 5L,
                "field", "spec.storages.b.s3.bucket", "reason", "type s3 requires s3.bucket", "time", T2.toString()));

        Map<String, Object> again = ResourceStatus.of(new ResourceStatus.Outcome(5, IN_FORCE, false, refusal, null),
                refused, Instant.parse("2026-12-03T12:00:00Z"));
        assertThat(ResourceStatus.same(again, refused)).isTrue();

        Map<String, Object> fixed = ResourceStatus.of(ResourceStatus.Outcome.applied(6, IN_FORCE, false), refused, T2);
        assertThat(fixed).doesNotContainKey("lastRejection");
        assertThat(ResourceStatus.same(fixed, refused)).isFalse();
    }

    @Test
    void nothingInForceIsNotReady() {
        ConfigProblem missing = new ConfigProblem("BackupConfig databases/pg1", 1, "databases/pg1",
                "spec.postgres.passwordSecret", "Secret databases/pw not found");

        Map<String, Object> status = ResourceStatus.of(new ResourceStatus.Outcome(1, null, false, missing, null),
                Map.of(), T1);

        assertThat(status).doesNotContainKeys("main", "profiles");
        assertThat(condition(status, "Ready")).containsEntry("status", "False");
    }

    @Test
    void theLastBackupIsShownAndKeptAcrossARestartUntilANewerOneCompletes() {
        BackupActivity.LastBackup nightly = new BackupActivity.LastBackup("nightly-1",
                java.time.OffsetDateTime.parse("2026-12-03T02:00:09+01:00"), List.of("a", "b"));
        Map<String, Object> shown = ResourceStatus.of(new ResourceStatus.Outcome(4, IN_FORCE, false, null, null,
                nightly), Map.of(), T1);
        assertThat(shown.get("lastBackup")).isEqualTo(Map.of("id", "nightly-1", "time", "2026-12-03T01:00:09Z",
                "storages", List.of("a", "b")));

        Map<String, Object> afterRestart = ResourceStatus.of(ResourceStatus.Outcome.applied(4, IN_FORCE, false), shown,
                T2);
        assertThat(afterRestart.get("lastBackup")).isEqualTo(shown.get("lastBackup"));
        assertThat(ResourceStatus.same(afterRestart, shown)).isTrue();
    }

    @Test
    void walArchivingIsShownWhilePitrIsOn_keptAcrossARestart_andGoneOncePitrIsOff() {
        TopologyApplied pitr = new TopologyApplied("databases/pg1", 3, "a", List.of("b"),
                new BackupConfigSpec(null, new PitrSpec(true), Map.of()), false, "BackupConfig databases/pg1");
        WalArchived last = new WalArchived("databases/pg1", "a", "00000001", "000000010000000000000009", 16 << 20,
                "ab".repeat(32), 1L << 20, java.time.OffsetDateTime.parse("2026-12-03T10:59:00Z"));
        WalLag lag = new WalLag("databases/pg1", "a", WalLag.LAGGING, 3, 3L << 24, 1L << 30,
                "00000001000000000000000A", 400, false, "storage 'a': 503 Slow Down");

        Map<String, Object> lagging = ResourceStatus.of(new ResourceStatus.Outcome(4, pitr, false, null, null, null,
                List.of(), new BackupActivity.WalArchiving(last, lag)), Map.of(), T1);
        assertThat((Map<String, Object>) lagging.get("walArchiving")).containsEntry("state", "Lagging")
                .containsEntry("lastSegment", "000000010000000000000009").containsEntry("waitingSeconds", 400L)
                .containsEntry("lastError", "storage 'a': 503 Slow Down").containsEntry("queueFull", false);

        Map<String, Object> afterRestart = ResourceStatus.of(new ResourceStatus.Outcome(4, pitr, false, null, null),
                lagging, T2);
        assertThat(afterRestart.get("walArchiving")).isEqualTo(lagging.get("walArchiving"));

        Map<String, Object> pitrOff = ResourceStatus.of(new ResourceStatus.Outcome(5, IN_FORCE, false, null, null,
                null, List.of(), new BackupActivity.WalArchiving(last, null)), lagging, T2);
        assertThat(pitrOff).doesNotContainKey("walArchiving");
    }

    @Test
    void aStorageWithoutCompleteBackupsShowsNoneAndItsLatestIsItsNewestBackupWithoutWal() {
        CatalogBackup only = new CatalogBackup("databases/pg1", "a", "n1", CatalogBackup.COMPLETE, null, "0/2000028",
                "0/2000100", "00000001", null, java.time.OffsetDateTime.parse("2026-12-03T01:00:00Z"), 1L, 1L, null);
        List<RecoveryWindow> windows = List.of(RecoveryWindow.of("a", List.of(only), List.of()),
                RecoveryWindow.of("b", List.of(only), List.of()));

        Map<String, Object> status = ResourceStatus.of(new ResourceStatus.Outcome(4, IN_FORCE, false, null, null,
                null, windows, null), Map.of(), T1);

        assertThat((List<Map<String, Object>>) status.get("recoverability")).containsExactly(
                Map.of("storage", "a", "backups", 1, "earliestTime", "2026-12-03T01:00:00Z", "earliestLsn", "0/2000100",
                        "latestLsn", "0/2000100", "latestTime", "2026-12-03T01:00:00Z"),
                Map.of("storage", "b", "backups", 0));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> condition(Map<String, Object> status, String type) {
        return ((List<Map<String, Object>>) status.get("conditions")).stream()
                .filter(c -> type.equals(c.get("type"))).findFirst().orElseThrow();
    }
}
