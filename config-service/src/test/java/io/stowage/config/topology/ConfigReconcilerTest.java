package io.stowage.config.topology;

import io.stowage.config.model.ConfigProblem;
import io.stowage.config.source.ConfigFolder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import io.stowage.events.data.TopologyApplied;

import static io.stowage.config.topology.Configs.header;
import static io.stowage.config.topology.Configs.twoStorages;
import static org.assertj.core.api.Assertions.assertThat;

/** The reconciler over a real folder, publishing to a list: what reaches the bus, and what stays applied. */
class ConfigReconcilerTest {
    @TempDir
    Path folder;

    final List<TopologyPlan> published = new ArrayList<>();
    final List<ConfigProblem> refused = new ArrayList<>();
    boolean busDown;
    AppliedTopologies applied;
    ConfigReconciler reconciler;

    @BeforeEach
    void setUp() {
        applied = new AppliedTopologies();
        reconciler = new ConfigReconciler(applied, new TopologyPublisher() {
            @Override
            public void publish(TopologyPlan plan) {
                if (busDown) {
                    throw new IllegalStateException("broker unreachable");
                }
                published.add(plan);
            }

            @Override
            public void reject(ConfigProblem problem, Cause cause) {
                refused.add(problem);
            }
        }, new ConfigFolder(folder)::holds);
    }

    @Test
    void anInvalidEditLeavesTheAppliedTopologyInForceAndIsReportedOnce() throws IOException {
        write("pg1.yaml", twoStorages("pg1", "a"));
        reconcile();
        long revision = applied.get("pg1").orElseThrow().revision();

        write("pg1.yaml", twoStorages("pg1", "a").replace("main: false", "main: true"));
        reconcile();
        reconcile();

        assertThat(published).hasSize(1);
        assertThat(applied.get("pg1").orElseThrow().revision()).isEqualTo(revision);
        assertThat(applied.get("pg1").orElseThrow().main()).isEqualTo("a");
        assertThat(refused).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo(folder.resolve("pg1.yaml").toString());
            assertThat(p.document()).isEqualTo(1);
            assertThat(p.cluster()).isEqualTo("pg1");
            assertThat(p.field()).isEqualTo("spec.storages");
            assertThat(p.reason()).startsWith("several storages have main: true");
        });
    }

    @Test
    void manyClustersChangedAtOnceArePublishedInTransactionsOfManyClusters_oneThatCannotBeHoldsBackNoOther()
            throws IOException {
        List<List<String>> transactions = new ArrayList<>();
        reconciler = new ConfigReconciler(applied, new TopologyPublisher() {
            @Override
            public void publish(TopologyPlan plan) {
                publishAll(List.of(plan));
            }

            @Override
            public void publishAll(List<TopologyPlan> plans) {
                // One cluster's change is refused by the bus (too large, say): its whole transaction fails.
                if (plans.stream().anyMatch(p -> p.cluster().equals("pg-7"))) {
                    throw new IllegalStateException("record too large");
                }
                transactions.add(plans.stream().map(TopologyPlan::cluster).toList());
            }

            @Override
            public void reject(ConfigProblem problem, Cause cause) {
                refused.add(problem);
            }
        }, new ConfigFolder(folder)::holds);
        for (int i = 0; i < 250; i++) {
            write("pg-" + i + ".yaml", twoStorages("pg-" + i, "a"));
        }
        ConfigReconciler.Outcome outcome = reconciler.reconcile(new ConfigFolder(folder).read());

        // Three batches (100, 100, 50): the one with pg-7 failed whole and was published cluster by cluster.
        assertThat(outcome.failed()).containsExactly("pg-7");
        assertThat(applied.all()).hasSize(249).doesNotContainKey("pg-7");
        assertThat(transactions.stream().filter(t -> t.size() > 1).toList()).hasSize(2)
                .allSatisfy(t -> assertThat(t).hasSizeLessThanOrEqualTo(ConfigReconciler.BATCH));
        assertThat(transactions.stream().mapToInt(List::size).sum()).isEqualTo(249);
    }

    @Test
    void aFileThatNoLongerParsesKeepsItsClusters() throws IOException {
        write("pg1.yaml", twoStorages("pg1", "a"));
        reconcile();
        write("pg1.yaml", "spec: [unclosed");
        reconcile();

        assertThat(published).hasSize(1);
        assertThat(applied.get("pg1")).isPresent();
        assertThat(refused).singleElement().satisfies(p -> {
            assertThat(p.cluster()).isNull();
            assertThat(p.reason()).startsWith("not valid YAML");
        });
    }

    @Test
    void aDocumentWithItsNameBrokenKeepsItsCluster() throws IOException {
        write("pg1.yaml", twoStorages("pg1", "a"));
        reconcile();
        write("pg1.yaml", twoStorages("pg1", "a").replace("  name: pg1\n", ""));
        reconcile();
        assertThat(applied.get("pg1")).isPresent();
        assertThat(published).hasSize(1);
    }

    @Test
    void aDeletedFileRemovesItsCluster() throws IOException {
        write("pg1.yaml", twoStorages("pg1", "a"));
        reconcile();
        Files.delete(folder.resolve("pg1.yaml"));
        reconcile();
        assertThat(applied.get("pg1")).isEmpty();
        assertThat(published.get(1).next()).isNull();
    }

    @Test
    void twoClustersOnOneBucketAndPrefix_theNewcomerIsRefused() throws IOException {
        write("a.yaml", header("pg1") + """
                  storages: {s: {type: s3, s3: {bucket: shared, prefix: backups}}}
                """);
        reconcile();
        write("b.yaml", header("pg2") + """
                  storages: {s: {type: s3, s3: {bucket: shared, prefix: backups}}}
                """);
        reconcile();

        assertThat(applied.all()).containsOnlyKeys("pg1");
        assertThat(refused).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo(folder.resolve("b.yaml").toString());
            assertThat(p.cluster()).isEqualTo("pg2");
            assertThat(p.field()).isEqualTo("spec.storages.s");
            assertThat(p.reason()).contains("same location as storage s of cluster pg1",
                    "two clusters must not write to the same bucket and prefix");
        });
    }

    @Test
    void aClusterDefinedTwiceIsRefusedTheSecondTime() throws IOException {
        write("a.yaml", twoStorages("pg1", "a"));
        write("b.yaml", twoStorages("pg1", "b"));
        reconcile();
        assertThat(applied.get("pg1").orElseThrow().main()).isEqualTo("a");
        assertThat(refused).singleElement().satisfies(p ->
                assertThat(p.reason()).isEqualTo("cluster pg1 is already defined in " + folder.resolve("a.yaml") + " (document 1)"));
    }

    @Test
    void aClusterAppliedFromAnotherSourceIsNeverRemovedByThisFolder() {
        applied.put(new io.stowage.events.data.TopologyApplied("elsewhere", 3, "a", List.of(),
                Configs.valid(twoStorages("elsewhere", "a")).spec(), false, "k8s:ns/elsewhere"));
        reconcile();
        assertThat(published).isEmpty();
        assertThat(applied.get("elsewhere")).isPresent();
    }

    @Test
    void severalDocumentsPerFileAndOtherKindsBeside() throws IOException {
        write("all.yaml", twoStorages("pg1", "a") + "---\n{apiVersion: v1, kind: ConfigMap}\n---\n"
                + twoStorages("pg2", "b").replace("/srv/backups/", "/srv/other/"));
        reconcile();
        assertThat(applied.all()).containsOnlyKeys("pg1", "pg2");
        assertThat(refused).isEmpty();
    }

    @Test
    void whenTheBusIsDownNothingIsAppliedAndTheNextRescanPublishesOnce() throws IOException {
        write("pg1.yaml", twoStorages("pg1", "a"));
        busDown = true;
        assertThat(reconciler.reconcile(new ConfigFolder(folder).read()).failed()).containsExactly("pg1");
        assertThat(applied.all()).isEmpty();
        busDown = false;
        reconcile();
        reconcile();
        assertThat(published).hasSize(1);
    }

    @Test
    void aRestoreAddedProfileOutlivesFileChangesUntilTheFilesNameIt() throws IOException {
        write("pg1.yaml", twoStorages("pg1", "a"));
        reconcile();
        BackupSourceApplier restores = new BackupSourceApplier(applied, publisher());
        var source = BackupSourcePlannerTest.fs("/srv/elsewhere");
        restores.requested(BackupSourcePlannerTest.request("pg1", source, "dr"), "r1", "req-1", new Cause("c", "req-1"));
        assertThat(applied.get("pg1").orElseThrow().profiles()).containsExactly("b", "dr");

        write("pg1.yaml", twoStorages("pg1", "a").replace("port: 5432", "port: 5433"));
        reconcile();
        TopologyPlan edit = published.get(published.size() - 1);
        assertThat(edit.events()).as("the profile is not removed").isEmpty();
        assertThat(edit.next().profiles()).containsExactly("b", "dr");
        assertThat(edit.next().spec().storages().get("dr").filesystem().path()).isEqualTo("/srv/elsewhere");
        assertThat(edit.overlay().profiles()).containsExactly("dr");

        // The files name it now: theirs from here on, so removing it from them removes it.
        write("pg1.yaml", twoStorages("pg1", "a").replace("port: 5432", "port: 5433") + """
                    dr:
                      type: filesystem
                      filesystem: {path: /srv/elsewhere}
                """);
        reconcile();
        assertThat(published.get(published.size() - 1).overlay()).isEqualTo(RestoreOverlay.NONE);
        assertThat(applied.overlay("pg1")).isEqualTo(RestoreOverlay.NONE);
        write("pg1.yaml", twoStorages("pg1", "a"));
        reconcile();
        assertThat(TopologyPlannerTest.lines(published.get(published.size() - 1))).containsExactly("STORAGE_REMOVED dr");
    }

    @Test
    void aTemporaryMainStaysWhileItsRestoreRunsAndTheFilesNameNoStorage() throws IOException {
        write("dr.yaml", header("pg-dr") + "  pitr: {enabled: true}\n");
        reconcile();
        BackupSourceApplier restores = new BackupSourceApplier(applied, publisher());
        restores.requested(BackupSourcePlannerTest.request("pg-dr", BackupSourcePlannerTest.s3("dr-bucket"), null),
                "r1", "req-1", new Cause("c", "req-1"));
        int before = published.size();

        write("dr.yaml", header("pg-dr").replace("127.0.0.1", "10.0.0.7") + "  pitr: {enabled: false}\n");
        reconcile();
        TopologyPlan edit = published.get(published.size() - 1);
        assertThat(published).hasSize(before + 1);
        assertThat(edit.events()).isEmpty();
        assertThat(edit.next().main()).isEqualTo("backup-source");
        assertThat(edit.next().spec().postgres().host()).isEqualTo("10.0.0.7");
        assertThat(edit.overlay().temporaryMain().pitrBefore().enabled()).as("the files' new pitr").isFalse();

        restores.ended("pg-dr", "r1", "completed", "end-1");
        TopologyApplied after = applied.get("pg-dr").orElseThrow();
        assertThat(after.main()).isNull();
        assertThat(after.spec().storages()).isEmpty();
        assertThat(after.spec().postgres().host()).isEqualTo("10.0.0.7");
        reconcile();
        assertThat(published.get(published.size() - 1).next()).as("nothing left to apply").isSameAs(after);
    }

    @Test
    void aVanishedFolderKeepsTheAppliedTopologyAndSaysSoOnce() throws IOException {
        Path config = Files.createDirectories(folder.resolve("config"));
        ConfigReconciler onConfig = reconcilerOn(config);
        Files.writeString(config.resolve("pg1.yaml"), twoStorages("pg1", "a"));
        onConfig.reconcile(new ConfigFolder(config).read());

        // Unmounted, or a checkout that removes the folder before writing it again.
        Path away = folder.resolve("away");
        Files.move(config, away);
        onConfig.reconcile(new ConfigFolder(config).read());
        onConfig.reconcile(new ConfigFolder(config).read());

        assertThat(applied.get("pg1")).as("still applied").isPresent();
        assertThat(published).hasSize(1);
        assertThat(refused).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo(config.toString());
            assertThat(p.reason()).contains("does not exist", "the applied topology stays");
        });

        Files.move(away, config);
        onConfig.reconcile(new ConfigFolder(config).read());
        assertThat(published).as("nothing to publish: nothing was removed").hasSize(1);
    }

    @Test
    void anEmptyFileCaughtMidWriteKeepsItsClustersUntilTheFileIsDeleted() throws IOException {
        write("pg1.yaml", twoStorages("pg1", "a"));
        reconcile();
        write("pg1.yaml", "");
        reconcile();

        assertThat(applied.get("pg1")).isPresent();
        assertThat(published).hasSize(1);
        assertThat(refused).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo(folder.resolve("pg1.yaml").toString());
            assertThat(p.reason()).startsWith("holds no document");
        });

        Files.delete(folder.resolve("pg1.yaml"));
        reconcile();
        assertThat(applied.get("pg1")).isEmpty();
    }

    @Test
    void aGitSyncCheckoutIsReadThroughItsLinkAndEachSwapIsApplied() throws IOException {
        // git-sync's layout: the configured path is a link to a worktree, swapped for a new one by a rename.
        Path v1 = Files.createDirectories(folder.resolve(".worktrees/v1/clusters"));
        Files.writeString(v1.resolve("pg1.yaml"), twoStorages("pg1", "a"));
        Path current = Files.createSymbolicLink(folder.resolve("current"), Path.of(".worktrees/v1"));
        ConfigReconciler onCurrent = reconcilerOn(current);
        onCurrent.reconcile(new ConfigFolder(current).read());
        assertThat(applied.get("pg1").orElseThrow().source()).isEqualTo(current.resolve("clusters/pg1.yaml").toString());

        Path v2 = Files.createDirectories(folder.resolve(".worktrees/v2/clusters"));
        Files.writeString(v2.resolve("pg1.yaml"), twoStorages("pg1", "b"));
        Path link = Files.createSymbolicLink(folder.resolve(".current.tmp"), Path.of(".worktrees/v2"));
        Files.move(link, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        onCurrent.reconcile(new ConfigFolder(current).read());

        assertThat(applied.get("pg1").orElseThrow().main()).isEqualTo("b");
        assertThat(applied.get("pg1").orElseThrow().source()).isEqualTo(current.resolve("clusters/pg1.yaml").toString());
        assertThat(published).hasSize(2);
        assertThat(refused).isEmpty();
    }

    @Test
    void aConfigMapVolumeIsReadThroughItsLinksOnce() throws IOException {
        // A Kubernetes ConfigMap mounted as a volume: every file a link into ..data, itself a link to a hidden folder.
        Path volume = Files.createDirectories(folder.resolve("volume"));
        Path data = Files.createDirectories(volume.resolve("..2026_11_22_03_00_00.000000001"));
        Files.writeString(data.resolve("pg1.yaml"), twoStorages("pg1", "a"));
        Files.createSymbolicLink(volume.resolve("..data"), data.getFileName());
        Files.createSymbolicLink(volume.resolve("pg1.yaml"), Path.of("..data/pg1.yaml"));

        reconcilerOn(volume).reconcile(new ConfigFolder(volume).read());

        assertThat(refused).isEmpty();
        assertThat(applied.get("pg1").orElseThrow().source()).isEqualTo(volume.resolve("pg1.yaml").toString());
    }

    private ConfigReconciler reconcilerOn(Path root) {
        return new ConfigReconciler(applied, publisher(), new ConfigFolder(root)::holds);
    }

    private TopologyPublisher publisher() {
        return new TopologyPublisher() {
            @Override
            public void publish(TopologyPlan plan) {
                published.add(plan);
            }

            @Override
            public void reject(ConfigProblem problem, Cause cause) {
                refused.add(problem);
            }
        };
    }

    private void reconcile() {
        reconciler.reconcile(new ConfigFolder(folder).read());
    }

    private void write(String name, String yaml) throws IOException {
        Files.writeString(folder.resolve(name), yaml);
    }
}
