package io.stowage.config.topology;

import io.stowage.config.model.ClusterConfig;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.ResyncScope;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.stowage.config.topology.Configs.header;
import static io.stowage.config.topology.Configs.twoStorages;
import static org.assertj.core.api.Assertions.assertThat;

class TopologyPlannerTest {

    @Test
    void aNewClusterSetsItsMainAndAddsItsProfiles() {
        TopologyPlan plan = TopologyPlanner.plan(null, Configs.valid(twoStorages("pg1", "a"))).orElseThrow();
        assertThat(lines(plan)).containsExactly("MAIN_SET a", "PROFILE_ADDED b");
        assertThat(plan.next().revision()).isEqualTo(1);
        assertThat(plan.next().main()).isEqualTo("a");
        assertThat(plan.next().profiles()).containsExactly("b");
    }

    @Test
    void anImpliedMainSaysSo() {
        TopologyPlan plan = TopologyPlanner.plan(null, Configs.valid(header("pg1") + """
                  storages: {only: {type: filesystem, filesystem: {path: /x}}}
                """)).orElseThrow();
        assertThat(((StorageChanged) plan.events().get(0)).reason()).contains("implied main");
    }

    @Test
    void switchingTheMainFansOutInTheContractsOrder() {
        TopologyApplied applied = applied(twoStorages("pg1", "a"));
        TopologyPlan plan = TopologyPlanner.plan(applied, Configs.valid(twoStorages("pg1", "b"))).orElseThrow();

        assertThat(lines(plan)).containsExactly("MAIN_CHANGED b (was a)", "resync b", "PROFILE_REMOVED b",
                "PROFILE_ADDED a");
        assertThat(plan.next().revision()).isEqualTo(2);
        assertThat(plan.next().main()).isEqualTo("b");
        assertThat(plan.next().profiles()).containsExactly("a");
        StorageChanged first = (StorageChanged) plan.events().get(0);
        assertThat(first.topology().main()).isEqualTo("b");
        assertThat(first.topology().profiles()).containsExactly("a");
        assertThat(first.topology().storages().get("a").describe()).isEqualTo("file:///srv/backups/a/stowage/pg1");
    }

    @Test
    void aNewScheduleIsANewRevisionWithoutStorageEvents() {
        TopologyApplied applied = applied(twoStorages("pg1", "a"));
        TopologyPlan plan = TopologyPlanner.plan(applied, Configs.valid(twoStorages("pg1", "a") + """
                  schedules: [{name: nightly, schedule: "0 2 * * *"}]
                """)).orElseThrow();

        assertThat(plan.events()).isEmpty();
        assertThat(plan.next().revision()).isEqualTo(2);
        assertThat(plan.next().spec().schedulesOrNone()).extracting(s -> s.name()).containsExactly("nightly");
    }

    @Test
    void aRetentionChangeSaysSo() {
        TopologyApplied applied = applied(twoStorages("pg1", "a"));
        TopologyPlan plan = TopologyPlanner.plan(applied, Configs.valid(twoStorages("pg1", "a").replace(
                "filesystem: {path: /srv/backups/b}", "filesystem: {path: /srv/backups/b}\n      retention: {keep: 3}")))
                .orElseThrow();

        assertThat(lines(plan)).containsExactly("STORAGE_UPDATED b");
        assertThat(((StorageChanged) plan.events().get(0)).reason()).isEqualTo("retention changed: keep 3");
        assertThat(plan.next().spec().storages().get("b").retention().keep()).isEqualTo(3);
    }

    @Test
    void anUnchangedConfigPlansNothing() {
        TopologyApplied applied = applied(twoStorages("pg1", "a"));
        assertThat(TopologyPlanner.plan(applied, Configs.valid(twoStorages("pg1", "a")))).isEmpty();
    }

    @Test
    void profilesComeGoAndChange() {
        TopologyApplied applied = applied(twoStorages("pg1", "a"));
        ClusterConfig desired = Configs.valid(header("pg1") + """
                  storages:
                    a: {main: true, type: filesystem, filesystem: {path: /srv/backups/a, prefix: moved}}
                    c: {type: s3, s3: {bucket: new-bucket}}
                """);
        assertThat(lines(TopologyPlanner.plan(applied, desired).orElseThrow()))
                .containsExactly("PROFILE_ADDED c", "STORAGE_REMOVED b", "STORAGE_UPDATED a");
    }

    @Test
    void aMainSwitchToANewStorageWhileTheOldMainLeaves() {
        TopologyApplied applied = applied(header("pg1") + """
                  storages: {a: {type: filesystem, filesystem: {path: /a}}}
                """);
        ClusterConfig desired = Configs.valid(header("pg1") + """
                  storages: {z: {type: filesystem, filesystem: {path: /z}}}
                """);
        assertThat(lines(TopologyPlanner.plan(applied, desired).orElseThrow()))
                .containsExactly("MAIN_CHANGED z (was a)", "resync z", "STORAGE_REMOVED a");
    }

    @Test
    void theResyncAnnotationRequestsOneFullResyncEachTimeItIsSet() {
        String plain = twoStorages("pg1", "a");
        String annotated = plain.replace("  name: pg1\n", "  name: pg1\n  annotations: {stowage.io/resync: \"true\"}\n");
        TopologyApplied applied = applied(plain);

        TopologyPlan set = TopologyPlanner.plan(applied, Configs.valid(annotated)).orElseThrow();
        assertThat(lines(set)).containsExactly("resync all");
        assertThat(set.next().resyncAnnotation()).isTrue();

        assertThat(TopologyPlanner.plan(set.next(), Configs.valid(annotated))).as("still set: nothing new").isEmpty();

        TopologyPlan cleared = TopologyPlanner.plan(set.next(), Configs.valid(plain)).orElseThrow();
        assertThat(cleared.events()).isEmpty();
        assertThat(cleared.next().resyncAnnotation()).isFalse();
        assertThat(lines(TopologyPlanner.plan(cleared.next(), Configs.valid(annotated)).orElseThrow()))
                .containsExactly("resync all");
    }

    @Test
    void aPostgresChangeRewritesTheTopologyRecordOnly() {
        TopologyApplied applied = applied(twoStorages("pg1", "a"));
        TopologyPlan plan = TopologyPlanner.plan(applied,
                Configs.valid(twoStorages("pg1", "a").replace("port: 5432", "port: 5433"))).orElseThrow();
        assertThat(plan.events()).isEmpty();
        assertThat(plan.next().spec().postgres().port()).isEqualTo(5433);
    }

    @Test
    void aClusterThatLeavesTheConfigRemovesItsStoragesAndItsRecord() {
        TopologyPlan plan = TopologyPlanner.plan(applied(twoStorages("pg1", "a")), null).orElseThrow();
        assertThat(lines(plan)).containsExactly("STORAGE_REMOVED b", "STORAGE_REMOVED a");
        assertThat(plan.next()).isNull();
    }

    @Test
    void aClusterWithoutStorageHasNoMainAndSetsNone() {
        TopologyPlan plan = TopologyPlanner.plan(null, Configs.valid(header("pg-dr"))).orElseThrow();
        assertThat(plan.events()).isEmpty();
        assertThat(plan.next().main()).isNull();
        assertThat(plan.next().profiles()).isEmpty();
        assertThat(plan.next().spec().storages()).isEmpty();
        assertThat(TopologyPlanner.plan(plan.next(), Configs.valid(header("pg-dr")))).isEmpty();
    }

    @Test
    void storagesGivenToAClusterWithoutThemSetItsFirstMain() {
        TopologyApplied none = applied(header("pg1"));
        TopologyPlan plan = TopologyPlanner.plan(none, Configs.valid(twoStorages("pg1", "a"))).orElseThrow();
        assertThat(lines(plan)).containsExactly("MAIN_SET a", "PROFILE_ADDED b");
        assertThat(plan.next().main()).isEqualTo("a");
        assertThat(((StorageChanged) plan.events().get(0)).reason()).isEqualTo("marked main: true");
    }

    @Test
    void removingEveryStorageRemovesTheMainAndTheProfiles() {
        TopologyPlan plan = TopologyPlanner.plan(applied(twoStorages("pg1", "a")), Configs.valid(header("pg1")))
                .orElseThrow();
        assertThat(lines(plan)).containsExactly("STORAGE_REMOVED a", "STORAGE_REMOVED b");
        assertThat(plan.next().main()).isNull();
        assertThat(plan.next().profiles()).isEmpty();
        assertThat(((StorageChanged) plan.events().get(0)).topology().main()).isNull();
    }

    @Test
    void aClusterWithoutStorageLeavesWithItsRecordOnly() {
        TopologyPlan plan = TopologyPlanner.plan(applied(header("pg-dr")), null).orElseThrow();
        assertThat(plan.events()).isEmpty();
        assertThat(plan.next()).isNull();
    }

    static TopologyApplied applied(String yaml) {
        return TopologyPlanner.plan(null, Configs.valid(yaml)).orElseThrow().next();
    }

    static List<String> lines(TopologyPlan plan) {
        return plan.events().stream().map(TopologyPlannerTest::line).toList();
    }

    private static String line(StowageEvent e) {
        if (e instanceof StorageChanged c) {
            return c.change() + " " + c.storage() + (c.previousMain() == null ? "" : " (was " + c.previousMain() + ")");
        }
        ResyncRequested r = (ResyncRequested) e;
        return "resync " + (r.scope() == ResyncScope.ALL ? "all" : r.storage());
    }
}
