package io.stowage.restore.plan;

import io.stowage.bus.CatalogView;
import io.stowage.events.EventJson;
import io.stowage.events.EventSchemas;
import io.stowage.events.EventType;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.PitrTarget;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreTarget;
import io.stowage.events.data.VolumeTarget;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.restore.plan.RestorePlanner.Decision;
import io.stowage.restore.plan.RestorePlanner.Go;
import io.stowage.restore.plan.RestorePlanner.ResyncFirst;
import io.stowage.restore.plan.WalChain.Piece;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.stowage.restore.plan.CatalogEntries.CLUSTER;
import static io.stowage.restore.plan.CatalogEntries.backup;
import static io.stowage.restore.plan.CatalogEntries.incomplete;
import static io.stowage.restore.plan.CatalogEntries.ofCluster;
import static io.stowage.restore.plan.CatalogEntries.segment;
import static io.stowage.restore.plan.CatalogEntries.wal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The checks before a restore touches anything. Cluster pg1 has the main {@code local} and the profiles
 * {@code s3-us-west} and {@code dr-copy}; backup b1 is consistent in segment 5, b2 in segment 9.
 */
class RestorePlannerTest {
    private static final String MAIN = "local";
    private static final String DATA_DIRECTORY = "/var/lib/postgresql/17/main";
    private static final PostgresSpec POSTGRES = new PostgresSpec("127.0.0.1", 5433, "postgres", "pg-credentials",
            DATA_DIRECTORY, null, null);
    private static final CatalogBackup B1 = backup(MAIN, "b1", "0/5000028", "2026-11-22T03:00:06Z");
    private static final CatalogBackup B2 = backup(MAIN, "b2", "0/9000100", "2026-11-22T06:00:06Z");

    private final CatalogView catalog = new CatalogView();
    /** When each segment was stored, by cluster, storage and segment name; unknown segments have no time. */
    private final Map<String, Instant> storedAt = new HashMap<>();
    private final RestorePlanner planner = new RestorePlanner(catalog, (cluster, storage, timeline, name) ->
            Optional.ofNullable(storedAt.get(cluster + " " + storage + " " + name)));

    private static TopologyApplied topology(PostgresSpec postgres) {
        return topology(CLUSTER, postgres);
    }

    /** A cluster with pg1's storages: storage names are per cluster, so another cluster may use the same ones. */
    private static TopologyApplied topology(String cluster, PostgresSpec postgres) {
        Map<String, StorageSpec> storages = new LinkedHashMap<>();
        storages.put(MAIN, storage(MAIN, true));
        storages.put("s3-us-west", storage("s3-us-west", false));
        storages.put("dr-copy", storage("dr-copy", false));
        return new TopologyApplied(cluster, 4, MAIN, List.of("s3-us-west", "dr-copy"),
                new BackupConfigSpec(postgres, new PitrSpec(true), storages), false, ".stowage/config/pg1.yaml");
    }

    private static StorageSpec storage(String name, boolean main) {
        return name.startsWith("s3-") ? new StorageSpec(main, StorageType.S3, new io.stowage.events.spec.S3Spec(
                "backups", "us-west-2", null, null, null, "s3-creds", null, null), null)
                : new StorageSpec(main, StorageType.FILESYSTEM, null, new FilesystemSpec("/srv/backups/" + name, null));
    }

    private static RestoreRequested inPlace(String backupId, String storage, PitrTarget pitr) {
        return new RestoreRequested(CLUSTER, backupId, storage, pitr, null, null, "r1", null);
    }

    private static PitrTarget time(String time) {
        return new PitrTarget(OffsetDateTime.parse(time), null);
    }

    private static PitrTarget lsn(String lsn) {
        return new PitrTarget(null, lsn);
    }

    private Decision plan(RestoreRequested r) throws Refusal {
        return planner.plan(r, r.restoreId(), topology(POSTGRES), r.storage(), false);
    }

    private RestorePlan go(RestoreRequested r) throws Refusal {
        Decision decision = plan(r);
        assertThat(decision).isInstanceOf(Go.class);
        return ((Go) decision).plan();
    }

    private Refusal refusal(RestoreRequested r) {
        return refusal(r, r.storage(), false);
    }

    private Refusal refusal(RestoreRequested r, String storage, boolean resynced) {
        return catchThrowableOfType(Refusal.class,
                () -> planner.plan(r, r.restoreId(), topology(POSTGRES), storage, resynced));
    }

    private void catalog(CatalogEvent... entries) {
        for (CatalogEvent e : entries) {
            catalog.put(e);
        }
    }

    // a restore is planned once (issue 13, item 8)

    @Test
    void aRestoreOfLatestRunAgainKeepsTheBackupItsFirstRunChose_evenWhenANewerOneCompletedSince() throws Refusal {
        catalog(B1);
        Path stateFile = RestorePlan.stateFile(Path.of(DATA_DIRECTORY), "r1");
        RestorePlan first = go(inPlace("latest", MAIN, null));
        assertThat(first.backup().backupId()).isEqualTo("b1");
        assertThat(first.stateFile()).isEqualTo(stateFile);
        // The first run wrote its state file; then backup b2 completed.
        catalog(B2);
        RestorePlanner again = new RestorePlanner(catalog, (cluster, storage, timeline, name) -> Optional.empty(),
                file -> file.equals(stateFile) ? Optional.of(new RestorePlanner.Begun("b1", MAIN, file))
                        : Optional.empty());

        Decision rerun = again.plan(inPlace("latest", MAIN, null), "r1", topology(POSTGRES), MAIN, false);
        Decision other = again.plan(new RestoreRequested(CLUSTER, "latest", MAIN, null, null, null, "r2", null),
                "r2", topology(POSTGRES), MAIN, false);

        assertThat(((Go) rerun).plan().backup().backupId()).as("the saved plan's backup").isEqualTo("b1");
        assertThat(((Go) other).plan().backup().backupId()).as("a new restore takes the newest").isEqualTo("b2");
    }

    @Test
    void theSameRestoreIdAskedForAnotherBackupOrStorageIsRefused_itsFoldersHoldTheFirstOnesCopy() {
        catalog(B1, B2, backup("dr-copy", "b2", "0/9000100", "2026-11-22T06:00:06Z"));
        RestorePlanner begun = new RestorePlanner(catalog, (cluster, storage, timeline, name) -> Optional.empty(),
                file -> Optional.of(new RestorePlanner.Begun("b1", MAIN, file)));

        Refusal otherBackup = catchThrowableOfType(Refusal.class, () -> begun.plan(inPlace("b2", MAIN, null), "r1",
                topology(POSTGRES), MAIN, false));
        Refusal otherStorage = catchThrowableOfType(Refusal.class, () -> begun.plan(inPlace("latest", "dr-copy",
                null), "r1", topology(POSTGRES), "dr-copy", false));

        assertThat(otherBackup.check()).isEqualTo(RestorePlanner.CHECK_REQUEST);
        assertThat(otherBackup).hasMessageContaining("was begun with backup b1 from storage 'local'")
                .hasMessageContaining("new restoreId");
        assertThat(otherStorage).hasMessageContaining("was begun with backup b1 from storage 'local'");
    }

    @Test
    void aStateFileThatCannotBeReadIsARefusalWithItsPath_notAFailureTriedForever() {
        catalog(B1);
        RestorePlanner unreadable = new RestorePlanner(catalog, (cluster, storage, timeline, name) -> Optional.empty(),
                file -> {
                    throw new java.io.IOException("Unexpected character ('x')");
                });

        Refusal refusal = catchThrowableOfType(Refusal.class, () -> unreadable.plan(inPlace("latest", MAIN, null), "r1",
                topology(POSTGRES), MAIN, false));

        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_REQUEST);
        assertThat(refusal).hasMessageContaining("main.restore-r1.json cannot be read (Unexpected character");
    }

    // check-request

    @Test
    void aRestoreWithoutAStorageIsRefused() {
        Refusal refusal = refusal(inPlace("latest", null, null));

        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_REQUEST);
        assertThat(refusal).hasMessageContaining("exactly one storage");
    }

    @Test
    void twoStoragesAreRefusedByTheRequestSchemaBeforeAnyPlan() {
        // The planner takes one storage name; a request naming two never decodes (restore.requested.v1 schema).
        String one = "{\"cluster\":\"pg1\",\"backupId\":\"latest\",\"storage\":\"local\"}";
        String list = "{\"cluster\":\"pg1\",\"backupId\":\"latest\",\"storage\":[\"local\",\"dr-copy\"]}";
        String several = "{\"cluster\":\"pg1\",\"backupId\":\"latest\",\"storage\":\"local\","
                + "\"storages\":[\"local\",\"dr-copy\"]}";

        assertThat(violations(one)).isEmpty();
        assertThat(violations(list)).anyMatch(v -> v.contains("$.storage"));
        assertThat(violations(several)).isNotEmpty();
    }

    private static List<String> violations(String json) {
        try {
            return EventSchemas.violations(EventType.RESTORE_REQUESTED, EventJson.MAPPER.readTree(json));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aStorageTheClusterDoesNotHaveIsRefusedWithTheStoragesItHas() {
        Refusal refusal = refusal(inPlace("latest", "nas", null));

        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_REQUEST);
        assertThat(refusal).hasMessage("storage 'nas' is not a storage of cluster pg1 (its storages: local, "
                + "s3-us-west, dr-copy)");
    }

    @Test
    void aClusterOutsideTheAppliedTopologyIsRefused() {
        RestoreRequested r = inPlace("latest", MAIN, null);

        Refusal refusal = catchThrowableOfType(Refusal.class, () -> planner.plan(r, "r1", null, MAIN, false));

        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_REQUEST);
        assertThat(refusal).hasMessageContaining("cluster pg1 is not in the applied topology");
    }

    @Test
    void anInPlaceRestoreNeedsTheClustersDataDirectory() {
        catalog(B1);
        RestoreRequested r = inPlace("latest", MAIN, null);
        TopologyApplied noDataDirectory = topology(new PostgresSpec("127.0.0.1", 5432, "postgres", "pg-credentials",
                null, null, null));

        Refusal refusal = catchThrowableOfType(Refusal.class,
                () -> planner.plan(r, "r1", noDataDirectory, MAIN, false));

        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_REQUEST);
        assertThat(refusal).hasMessageContaining("no spec.postgres.dataDirectory");
    }

    @Test
    void aNewInstanceGoesIntoANewFolderNeverOverData(@TempDir Path dir) throws Exception {
        catalog(B1);
        Path fresh = dir.resolve("drill");
        Path used = Files.createDirectories(dir.resolve("used"));
        Files.writeString(used.resolve("PG_VERSION"), "17\n");

        RestorePlan plan = go(toNewInstance(fresh.toString()));
        assertThat(plan.inPlace()).isFalse();
        assertThat(plan.dataDirectory()).isEqualTo(fresh);
        assertThat(plan.port()).isEqualTo(6543);

        assertThat(refusal(toNewInstance(used.toString()))).hasMessageContaining("exists and is not empty");
        assertThat(refusal(toNewInstance("drill"))).hasMessageContaining("must be an absolute path");
        assertThat(refusal(toNewInstance(DATA_DIRECTORY + "/"))).hasMessageContaining("the cluster's own data directory");
    }

    @Test
    void aRestoreRunAgainMayFindItsOwnFolderFilled(@TempDir Path dir) throws Exception {
        catalog(B1);
        Path target = Files.createDirectories(dir.resolve("drill"));
        Files.writeString(target.resolve("PG_VERSION"), "17\n");
        Files.writeString(dir.resolve("drill.restore-r1.json"), "{}");

        assertThat(go(toNewInstance(target.toString())).dataDirectory()).isEqualTo(target);
    }

    @Test
    void aRestoreIntoANewVolumeIsPlannedForTheJobsMount_promotedThereOnItsOwnPort() throws Exception {
        catalog(backup("s3-us-west", "b1", "0/5000028", "2026-11-22T03:00:06Z"));
        VolumeTarget volume = new VolumeTarget("pg1-restored", null, "20Gi");
        RestorePlan plan = go(new RestoreRequested(CLUSTER, "latest", "s3-us-west", null, null, null, "r1",
                RestoreTarget.volume(volume)));

        assertThat(plan.intoVolume()).isTrue();
        assertThat(plan.volume()).isEqualTo(volume);
        assertThat(plan.inPlace()).isFalse();
        assertThat(plan.dataDirectory()).isEqualTo(Path.of("/var/lib/stowage/restore/pgdata"));
        assertThat(plan.port()).isEqualTo(5432);
    }

    @Test
    void aRestoreIntoANewVolumeFromAFolderOfThisHostIsRefused_aJobReachesObjectStorageOnly() throws Exception {
        catalog(B1);
        Refusal refusal = refusal(new RestoreRequested(CLUSTER, "latest", MAIN, null, null, null, "r1",
                RestoreTarget.volume(new VolumeTarget("pg1-restored", null, "20Gi"))), MAIN, false);

        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_REQUEST);
        assertThat(refusal).hasMessageContaining("restore into a new volume from an S3 storage");
    }

    @Test
    void aRestoreIntoANewVolumeWithABackupAfterwardsIsRefused_nothingWouldRunToBackUp() throws Exception {
        catalog(B1);
        Refusal refusal = refusal(new RestoreRequested(CLUSTER, "latest", MAIN, null, null, true, "r1",
                RestoreTarget.volume(new VolumeTarget("pg1-restored", null, "20Gi"))), MAIN, false);

        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_REQUEST);
        assertThat(refusal).hasMessageContaining("backupAfterRestore");
    }

    private static RestoreRequested toNewInstance(String dataDirectory) {
        return new RestoreRequested(CLUSTER, "latest", MAIN, null, null, null, "r1",
                new RestoreTarget(dataDirectory, 6543));
    }

    // check-backup

    @Test
    void anUnknownBackupOnTheMainIsLookedForByAResyncThenRefused() throws Refusal {
        // The catalog lists a backup a moment after backup.completed.v1: a restore asked for at once must not be
        // refused for that.
        catalog(B1);
        RestoreRequested r = inPlace("b9", MAIN, null);

        assertThat(plan(r)).isEqualTo(new ResyncFirst(MAIN, "the catalog does not know backup b9 on it"));

        Refusal refusal = refusal(r, MAIN, true);
        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_BACKUP);
        assertThat(refusal).hasMessage("backup b9 is not on storage 'local' (it was resynced for this restore)");
    }

    @Test
    void anUnknownBackupOnAProfileIsLookedForByAResyncThenRefused() throws Refusal {
        catalog(B1, backup("dr-copy", "b1", "0/5000028", "2026-11-22T03:00:06Z"));
        RestoreRequested r = inPlace("b9", "dr-copy", null);

        assertThat(plan(r)).isEqualTo(new ResyncFirst("dr-copy", "the catalog does not know backup b9 on it"));

        Refusal refusal = refusal(r, "dr-copy", true);
        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_BACKUP);
        assertThat(refusal).hasMessage("backup b9 is not on storage 'dr-copy' (it was resynced for this restore)");
    }

    @Test
    void latestWithNoCompleteBackupIsResyncedFirst_thenRefused() throws Refusal {
        catalog(incomplete(MAIN, "b3", "manifest missing", "0/C000028", "2026-11-22T09:00:06Z"));

        assertThat(plan(inPlace("latest", MAIN, null)))
                .isEqualTo(new ResyncFirst(MAIN, "the catalog knows no complete backup on it"));
        Refusal refusal = refusal(inPlace("latest", MAIN, null), MAIN, true);
        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_BACKUP);
        assertThat(refusal).hasMessage("storage 'local' has no complete backup of cluster pg1 (it was resynced for "
                + "this restore)");

        assertThat(plan(inPlace("latest", "s3-us-west", null)))
                .isEqualTo(new ResyncFirst("s3-us-west", "the catalog knows no complete backup on it"));
    }

    @Test
    void anIncompleteBackupIsNeverRestored() {
        catalog(B1, incomplete(MAIN, "b3", "base.tar.zst is 0 bytes, the manifest says 81920",
                "0/C000028", "2026-11-22T09:00:06Z"));

        Refusal refusal = refusal(inPlace("b3", MAIN, null));

        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_BACKUP);
        assertThat(refusal).hasMessage("backup b3 on storage 'local' is incomplete (base.tar.zst is 0 bytes, the "
                + "manifest says 81920): an incomplete backup is never restored");
    }

    @Test
    void latestIsTheNewestCompleteBackupOnTheNamedStorage() throws Refusal {
        catalog(B2, B1, incomplete(MAIN, "b3", "manifest missing", "0/C000028", "2026-11-22T09:00:06Z"),
                backup("dr-copy", "b4", "0/D000028", "2026-11-22T10:00:06Z"));

        assertThat(go(inPlace("latest", MAIN, null)).backup()).isEqualTo(B2);
    }

    @Test
    void aTargetBeforeTheNamedBackupsConsistencyPointIsRefused() {
        catalog(B1, B2);

        Refusal byTime = refusal(inPlace("b2", MAIN, time("2026-11-22T06:00:05Z")));
        assertThat(byTime.check()).isEqualTo(RestorePlanner.CHECK_BACKUP);
        assertThat(byTime).hasMessage("the target time 2026-11-22T06:00:05Z is before backup b2's consistency point "
                + "(2026-11-22T06:00:06Z, LSN 0/9000100): pick an earlier backup, or a later target");

        Refusal byLsn = refusal(inPlace("b2", MAIN, lsn("0/90000FF")));
        assertThat(byLsn.check()).isEqualTo(RestorePlanner.CHECK_BACKUP);
        assertThat(byLsn).hasMessageContaining("the target LSN 0/90000FF is before backup b2's consistency point");
    }

    @Test
    void latestWithATargetIsTheNewestBackupConsistentBeforeIt() throws Refusal {
        catalog(B1, B2, wal(MAIN, 5, 12));

        assertThat(go(inPlace("latest", MAIN, time("2026-11-22T07:30:00+01:00"))).backup()).isEqualTo(B2);
        assertThat(go(inPlace("latest", MAIN, time("2026-11-22T05:59:00Z"))).backup()).isEqualTo(B1);
        assertThat(go(inPlace("latest", MAIN, lsn("0/9000100"))).backup()).isEqualTo(B2);

        Refusal refusal = refusal(inPlace("latest", MAIN, time("2026-11-22T03:00:00Z")));
        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_BACKUP);
        assertThat(refusal).hasMessage("the target time 2026-11-22T03:00Z is before the consistency point of every "
                + "backup on storage 'local' (the oldest, b1, is consistent at 2026-11-22T03:00:06Z, LSN 0/5000028)");
    }

    // check-wal-chain

    @Test
    void aWalGapBeforeAnLsnTargetIsRefusedWithTheMissingRange() {
        catalog(B1, wal(MAIN, 5, 7, 10, 12));

        Refusal refusal = refusal(inPlace("b1", MAIN, lsn("0/B000000")));

        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_WAL);
        assertThat(refusal).hasMessage("WAL gap on timeline 00000001: " + segment(1, 8) + " to " + segment(1, 9)
                + " are on no storage, and LSN 0/B000000 is after it");
    }

    @Test
    void aWalGapAfterAnLsnTargetIsNoObstacle() throws Refusal {
        catalog(B1, wal(MAIN, 5, 7, 10, 12));

        RestorePlan plan = go(inPlace("b1", MAIN, lsn("0/7FFFFFF")));

        assertThat(plan.wal()).containsExactly(new Piece(MAIN, 1, 5, 7));
        assertThat(plan.lastSegment()).isEqualTo(7L);
    }

    @Test
    void anLsnTargetBeyondTheNewestWalIsLeftToTheWalStillToBeArchived() throws Refusal {
        // No gap: the rest may still come, as archiving is paused and drained before WAL is fetched.
        catalog(B1, wal(MAIN, 5, 7));

        RestorePlan plan = go(inPlace("b1", MAIN, lsn("0/9000000")));

        assertThat(plan.wal()).containsExactly(new Piece(MAIN, 1, 5, 7));
        assertThat(plan.lastSegment()).isEqualTo(7L);
    }

    @Test
    void aWalGapBeforeATimeTargetIsRefusedUnlessTheWalBeforeItWasStoredAfterTheTarget() throws Refusal {
        catalog(B1, wal(MAIN, 5, 7), wal("dr-copy", 10, 12));
        RestoreRequested r = inPlace("b1", MAIN, time("2026-11-22T04:00:00Z"));

        // When segment 7 was stored is unknown: the target may be in the missing WAL.
        assertThat(refusal(r)).hasMessage("WAL gap on timeline 00000001: " + segment(1, 8) + " to " + segment(1, 9)
                + " are on no storage, and time 2026-11-22T04:00Z is after the WAL before it (" + segment(1, 7) + ")");

        storedAt.put(CLUSTER + " " + MAIN + " " + segment(1, 7), Instant.parse("2026-11-22T03:59:59Z"));
        Refusal refusal = refusal(r);
        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_WAL);
        assertThat(refusal).hasMessageContaining("(" + segment(1, 7) + ", stored at 2026-11-22T03:59:59Z)");

        // Segment 7 was stored after the target, so the target's WAL is in it or before it.
        storedAt.put(CLUSTER + " " + MAIN + " " + segment(1, 7), Instant.parse("2026-11-22T04:00:01Z"));
        RestorePlan plan = go(r);
        assertThat(plan.wal()).containsExactly(new Piece(MAIN, 1, 5, 7));
        assertThat(plan.lastSegment()).isEqualTo(7L);
    }

    @Test
    void whenWalWasStoredIsAskedOfTheRestoredClustersStorageNotOfAnotherClustersStorageOfTheSameName()
            throws Refusal {
        // pg2 has storages of the same names as pg1's, and the same WAL segment names on them, stored at other times.
        String pg2 = "pg2";
        catalog(B1, wal(MAIN, 5, 7), wal("dr-copy", 10, 12),
                ofCluster(pg2, B1), ofCluster(pg2, wal(MAIN, 5, 7)), ofCluster(pg2, wal("dr-copy", 10, 12)));
        storedAt.put(CLUSTER + " " + MAIN + " " + segment(1, 7), Instant.parse("2026-11-22T03:59:59Z"));
        storedAt.put(pg2 + " " + MAIN + " " + segment(1, 7), Instant.parse("2026-11-22T04:00:01Z"));
        PitrTarget target = time("2026-11-22T04:00:00Z");

        // pg1's segment 7 was stored before the target: the target may be in the WAL missing after it.
        Refusal refusal = refusal(inPlace("b1", MAIN, target));
        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_WAL);
        assertThat(refusal).hasMessageContaining("(" + segment(1, 7) + ", stored at 2026-11-22T03:59:59Z)");

        // pg2's segment 7 was stored after the target: pg2's WAL up to it holds the target.
        RestoreRequested r = new RestoreRequested(pg2, "b1", MAIN, target, null, null, "r2", null);
        Decision decision = planner.plan(r, r.restoreId(), topology(pg2, POSTGRES), MAIN, false);
        assertThat(decision).isInstanceOf(Go.class);
        RestorePlan plan = ((Go) decision).plan();
        assertThat(plan.cluster()).isEqualTo(pg2);
        assertThat(plan.wal()).containsExactly(new Piece(MAIN, 1, 5, 7));
        assertThat(plan.lastSegment()).isEqualTo(7L);
    }

    @Test
    void theBackupsOwnLastSegmentOnNoStorageIsRefused() {
        catalog(B1, wal(MAIN, 3, 4, 8, 9));

        Refusal refusal = refusal(inPlace("b1", MAIN, lsn("0/9000000")));

        assertThat(refusal.check()).isEqualTo(RestorePlanner.CHECK_WAL);
        assertThat(refusal).hasMessage("WAL gap on timeline 00000001: " + segment(1, 5) + " to " + segment(1, 7)
                + " are on no storage (the backup b1 ends in " + segment(1, 5) + ")");
    }

    @Test
    void aMissingSegmentRightBeforeKnownWalIsNamedAlone() {
        catalog(B1, wal(MAIN, 6, 9));

        Refusal refusal = refusal(inPlace("b1", MAIN, lsn("0/9000000")));

        assertThat(refusal).hasMessage("WAL gap on timeline 00000001: " + segment(1, 5)
                + " are on no storage (the backup b1 ends in " + segment(1, 5) + ")");
    }

    // the plan

    @Test
    void withoutATargetThePlanIsTheBackupAlone() throws Refusal {
        catalog(B1, B2, wal(MAIN, 5, 12),
                wal("dr-copy", 2, true, 12, 14), wal(MAIN, 2, true, 12, 13), wal("s3-us-west", 3, true, 20, 20));

        RestorePlan plan = go(new RestoreRequested(CLUSTER, "latest", MAIN, null, null, true, "r7", null));

        assertThat(plan.cluster()).isEqualTo(CLUSTER);
        assertThat(plan.restoreId()).isEqualTo("r7");
        assertThat(plan.storage()).isEqualTo(MAIN);
        assertThat(plan.backup()).isEqualTo(B2);
        assertThat(plan.pitr()).isNull();
        assertThat(plan.wal()).isEmpty();
        assertThat(plan.lastSegment()).isNull();
        // Each timeline's history file once, from the most preferred storage that has it.
        assertThat(plan.histories()).containsExactly(new RestorePlan.History(MAIN, 2),
                new RestorePlan.History("s3-us-west", 3));
        assertThat(plan.postgres()).isEqualTo(POSTGRES);
        assertThat(plan.inPlace()).isTrue();
        assertThat(plan.dataDirectory()).isEqualTo(Path.of(DATA_DIRECTORY));
        assertThat(plan.port()).isEqualTo(5433);
        assertThat(plan.pitrArchiving()).isTrue();
        assertThat(plan.backupAfterRestore()).isTrue();
        assertThat(plan.describeTarget()).isEqualTo("the end of the backup");
    }

    @Test
    void withATargetThePlanReadsEachSegmentFromTheMainFirstThenTheProfilesByName() throws Refusal {
        // The WAL before segment 8 is on two profiles only (archived before the main moved): dr-copy sorts first.
        catalog(B1, wal(MAIN, 8, 12), wal("s3-us-west", 4, 9), wal("dr-copy", 5, 6));

        RestorePlan plan = go(inPlace("b1", MAIN, time("2026-11-22T05:00:00Z")));

        assertThat(plan.wal()).containsExactly(
                new Piece("dr-copy", 1, 5, 6),
                new Piece("s3-us-west", 1, 7, 7),
                new Piece(MAIN, 1, 8, 12));
        assertThat(plan.lastSegment()).isEqualTo(12L);
        assertThat(plan.pitr()).isEqualTo(time("2026-11-22T05:00:00Z"));
    }
}
