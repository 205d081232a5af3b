package io.stowage.config.topology;

import io.stowage.events.BackupSources;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.stowage.config.topology.Configs.header;
import static io.stowage.config.topology.Configs.twoStorages;
import static io.stowage.config.topology.TopologyPlannerTest.applied;
import static org.assertj.core.api.Assertions.assertThat;

/** What a restore's backupSource does to the applied topology, and what the restore's end undoes. */
class BackupSourcePlannerTest {
    static final Cause CAUSE = new Cause("corr-1", "req-1");

    @Test
    void aClusterWithoutStorageGetsTheSourceAsATemporaryMainWithPitrDisabled() {
        TopologyApplied none = applied(header("pg-dr") + "  pitr: {enabled: true}\n");
        TopologyPlan plan = change(BackupSourcePlanner.requested(request("pg-dr", s3("dr-bucket"), null), "r1", none,
                RestoreOverlay.NONE, List.of(none), CAUSE));

        StorageChanged set = (StorageChanged) plan.events().get(0);
        assertThat(plan.events()).hasSize(1);
        assertThat(set.change()).isEqualTo(StorageChange.MAIN_SET);
        assertThat(set.storage()).isEqualTo(BackupSources.TEMPORARY_MAIN_NAME);
        assertThat(set.reason()).contains("restore r1").contains("spec.pitr.enabled false");
        assertThat(set.topology().main()).isEqualTo("backup-source");
        assertThat(plan.next().main()).isEqualTo("backup-source");
        assertThat(plan.next().profiles()).isEmpty();
        assertThat(plan.next().spec().pitr().enabled()).isFalse();
        assertThat(plan.next().spec().storages().get("backup-source").isMarkedMain()).isTrue();
        assertThat(plan.next().spec().storages().get("backup-source").s3().credentialsSecret()).isEqualTo("dr-creds");
        assertThat(plan.next().revision()).isEqualTo(none.revision() + 1);
        assertThat(plan.cause()).isEqualTo(CAUSE);
        assertThat(plan.overlay().temporaryMain()).isEqualTo(new RestoreOverlay.TemporaryMain("r1", "backup-source",
                "corr-1", new PitrSpec(true)));
    }

    @Test
    void theRequestedNameNamesTheTemporaryMain() {
        TopologyApplied none = applied(header("pg-dr"));
        TopologyPlan plan = change(BackupSourcePlanner.requested(request("pg-dr", s3("dr-bucket"), "dr"), "r1", none,
                RestoreOverlay.NONE, List.of(none), CAUSE));
        assertThat(plan.next().main()).isEqualTo("dr");
    }

    @Test
    void theEndOfThatRestoreRevertsToNoStorageAndThePitrOfTheFiles() {
        TopologyApplied none = applied(header("pg-dr") + "  pitr: {enabled: true}\n");
        TopologyPlan set = change(BackupSourcePlanner.requested(request("pg-dr", s3("dr-bucket"), null), "r1", none,
                RestoreOverlay.NONE, List.of(none), CAUSE));

        assertThat(BackupSourcePlanner.ended("pg-dr", "another", "completed", "end-0", set.next(), set.overlay()))
                .isInstanceOf(BackupSourcePlanner.Unchanged.class);
        TopologyPlan revert = change(BackupSourcePlanner.ended("pg-dr", "r1", "failed", "end-1", set.next(),
                set.overlay()));

        StorageChanged removed = (StorageChanged) revert.events().get(0);
        assertThat(revert.events()).hasSize(1);
        assertThat(removed.change()).isEqualTo(StorageChange.STORAGE_REMOVED);
        assertThat(removed.storage()).isEqualTo("backup-source");
        assertThat(removed.reason()).contains("restore r1 failed");
        assertThat(removed.topology().main()).isNull();
        assertThat(revert.next().main()).isNull();
        assertThat(revert.next().spec().storages()).isEmpty();
        assertThat(revert.next().spec().pitr()).isEqualTo(new PitrSpec(true));
        assertThat(revert.next().revision()).isEqualTo(set.next().revision() + 1);
        assertThat(revert.cause()).isEqualTo(new Cause("corr-1", "end-1"));
        assertThat(revert.overlay()).isEqualTo(RestoreOverlay.NONE);
        assertThat(BackupSourcePlanner.ended("pg-dr", "r1", "completed", "end-2", revert.next(), revert.overlay()))
                .as("a second end").isInstanceOf(BackupSourcePlanner.Unchanged.class);
    }

    @Test
    void theSameRequestTwiceChangesTheTopologyOnce() {
        TopologyApplied none = applied(header("pg-dr"));
        RestoreRequested request = request("pg-dr", s3("dr-bucket"), null);
        TopologyPlan once = change(BackupSourcePlanner.requested(request, "r1", none, RestoreOverlay.NONE, List.of(none),
                CAUSE));
        assertThat(BackupSourcePlanner.requested(request, "r1", once.next(), once.overlay(), List.of(once.next()), CAUSE))
                .isInstanceOf(BackupSourcePlanner.Unchanged.class);

        TopologyApplied two = applied(twoStorages("pg1", "a"));
        RestoreRequested elsewhere = request("pg1", fs("/srv/elsewhere"), null);
        TopologyPlan added = change(BackupSourcePlanner.requested(elsewhere, "r2", two, RestoreOverlay.NONE,
                List.of(two), CAUSE));
        assertThat(BackupSourcePlanner.requested(elsewhere, "r2", added.next(), added.overlay(), List.of(added.next()),
                CAUSE)).isInstanceOf(BackupSourcePlanner.Unchanged.class);
    }

    @Test
    void aSourceElsewhereIsAddedAsAProfileThatStays() {
        TopologyApplied two = applied(twoStorages("pg1", "a"));
        TopologyPlan plan = change(BackupSourcePlanner.requested(request("pg1", fs("/srv/elsewhere"), null), "r2", two,
                RestoreOverlay.NONE, List.of(two), CAUSE));

        String name = BackupSources.place("pg1", fs("/srv/elsewhere"), null, two.spec().storages()).storage();
        StorageChanged added = (StorageChanged) plan.events().get(0);
        assertThat(plan.events()).hasSize(1);
        assertThat(added.change()).isEqualTo(StorageChange.PROFILE_ADDED);
        assertThat(added.storage()).isEqualTo(name).startsWith("backup-source-");
        assertThat(added.reason()).contains("restore r2").contains("stays after the restore");
        assertThat(plan.next().main()).isEqualTo("a");
        assertThat(plan.next().profiles()).containsExactly("b", name);
        assertThat(plan.next().spec().storages().get(name).isMarkedMain()).isFalse();
        assertThat(plan.next().spec().pitr()).isEqualTo(two.spec().pitr());
        assertThat(plan.overlay().profiles()).containsExactly(name);
        assertThat(BackupSourcePlanner.ended("pg1", "r2", "completed", "end", plan.next(), plan.overlay()))
                .isInstanceOf(BackupSourcePlanner.Unchanged.class);
    }

    @Test
    void aSourceAtAConfiguredStorageChangesNothing() {
        TopologyApplied two = applied(twoStorages("pg1", "a"));
        var decision = BackupSourcePlanner.requested(request("pg1", fs("/srv/backups/b"), null), "r3", two,
                RestoreOverlay.NONE, List.of(two), CAUSE);
        assertThat(decision).isEqualTo(new BackupSourcePlanner.Unchanged("the backupSource is storage b of cluster pg1"));
    }

    @Test
    void refusalsSayWhyAndChangeNothing() {
        TopologyApplied two = applied(twoStorages("pg1", "a"));
        assertThat(BackupSourcePlanner.requested(request("pg9", fs("/x"), null), "r", null, RestoreOverlay.NONE,
                List.of(two), CAUSE)).isInstanceOfSatisfying(BackupSourcePlanner.Refused.class, r -> {
                    assertThat(r.field()).isEqualTo("cluster");
                    assertThat(r.reason()).startsWith("cluster pg9 is not in the applied topology");
                });
        assertThat(BackupSourcePlanner.requested(request("pg1", fs("/srv/elsewhere"), "a"), "r", two,
                RestoreOverlay.NONE, List.of(two), CAUSE)).isInstanceOfSatisfying(BackupSourcePlanner.Refused.class,
                r -> {
                    assertThat(r.field()).isEqualTo("storage");
                    assertThat(r.reason()).startsWith("storage 'a' is configured at file:///srv/backups/a/stowage/pg1");
                });
        TopologyApplied other = applied(twoStorages("pg2", "a").replace("/srv/backups/", "/srv/pg2/"));
        assertThat(BackupSourcePlanner.requested(request("pg1", fs("/srv/pg2/a", "stowage/pg2"), null), "r", two,
                RestoreOverlay.NONE, List.of(two, other), CAUSE))
                .isInstanceOfSatisfying(BackupSourcePlanner.Refused.class, r -> {
                    assertThat(r.field()).isEqualTo("backupSource");
                    assertThat(r.reason()).contains("overlaps storage a of cluster pg2");
                });
    }

    @Test
    void aSecondSourceWaitsWhileATemporaryMainIsInForce() {
        TopologyApplied none = applied(header("pg-dr"));
        TopologyPlan set = change(BackupSourcePlanner.requested(request("pg-dr", s3("dr-bucket"), null), "r1", none,
                RestoreOverlay.NONE, List.of(none), CAUSE));
        assertThat(BackupSourcePlanner.requested(request("pg-dr", s3("other-bucket"), null), "r2", set.next(),
                set.overlay(), List.of(set.next()), CAUSE))
                .isInstanceOfSatisfying(BackupSourcePlanner.Refused.class,
                        r -> assertThat(r.reason()).contains("runs restore r1"));
    }

    static TopologyPlan change(BackupSourcePlanner.Decision decision) {
        assertThat(decision).isInstanceOf(BackupSourcePlanner.Change.class);
        return ((BackupSourcePlanner.Change) decision).plan();
    }

    static RestoreRequested request(String cluster, StorageSpec source, String storage) {
        return new RestoreRequested(cluster, "latest", storage, null, source, null, null, null);
    }

    static StorageSpec s3(String bucket) {
        return new StorageSpec(null, StorageType.S3, new S3Spec(bucket, "eu-west-1", null, null, null, "dr-creds", null,
                null), null);
    }

    static StorageSpec fs(String path) {
        return fs(path, null);
    }

    static StorageSpec fs(String path, String prefix) {
        return new StorageSpec(null, StorageType.FILESYSTEM, null, new FilesystemSpec(path, prefix));
    }
}
