package io.stowage.backup.schedule;

import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.BackupSkipped;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.ScheduleSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class BackupSchedulerTest {
    static final Instant T0 = Instant.parse("2026-12-03T10:00:30Z");

    final List<BackupRequested> fired = new ArrayList<>();
    final List<BackupSkipped> skipped = new ArrayList<>();
    final Set<String> complete = new HashSet<>();
    final BackupScheduler scheduler = new BackupScheduler(new BackupScheduler.Firing() {
        @Override
        public void fire(BackupRequested request) {
            fired.add(request);
        }

        @Override
        public void skip(BackupSkipped s) {
            skipped.add(s);
        }
    }, (topology, backupId, storages) -> complete.contains(backupId + " " + storages));
    String restoring;
    Instant appliedAt = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void eachDueTimeFiresOnceWithAnIdOfItsOwn() {
        scheduler.own(c -> true);
        List<TopologyApplied> t = List.of(cluster("pg1", schedule("every-minute", "* * * * *", null)));

        tick(t, T0);
        tick(t, T0.plusSeconds(10));
        tick(t, T0.plusSeconds(29));
        tick(t, T0.plusSeconds(31));
        tick(t, T0.plusSeconds(95));

        assertThat(fired).extracting(BackupRequested::backupId).containsExactly("every-minute-20261203T1000Z",
                "every-minute-20261203T1001Z", "every-minute-20261203T1002Z");
        assertThat(fired.get(1).schedule()).isEqualTo("every-minute");
        assertThat(fired.get(1).dueAt()).isEqualTo(OffsetDateTime.parse("2026-12-03T10:01:00Z"));
        assertThat(fired.get(1).storages()).as("no storages named: the main").isNull();
    }

    @Test
    void afterDowntimeAMissedTimeFiresOnceNotOncePerMissedTime() {
        scheduler.own(c -> true);
        List<TopologyApplied> t = List.of(cluster("pg1", schedule("every-minute", "* * * * *", List.of("a", "b"))));

        tick(t, T0.plusSeconds(600));

        assertThat(fired).extracting(BackupRequested::backupId).containsExactly("every-minute-20261203T1010Z");
        assertThat(fired.get(0).storages()).containsExactly("a", "b");
    }

    @Test
    void aDueTimeWhoseBackupIsCompleteOnItsStoragesIsNotFiredAgain() {
        complete.add("nightly-20261203T0200Z [a]");
        scheduler.own(c -> true);

        tick(List.of(cluster("pg1", schedule("nightly", "0 2 * * *", null))), T0);

        assertThat(fired).isEmpty();
        tick(List.of(cluster("pg1", schedule("nightly", "0 2 * * *", null))), Instant.parse("2026-12-04T02:00:05Z"));
        assertThat(fired).extracting(BackupRequested::backupId).containsExactly("nightly-20261204T0200Z");
    }

    @Test
    void aScheduleAddedToAClusterAlreadyScheduledStartsWithItsNextDueTime() {
        scheduler.own(c -> true);
        tick(List.of(cluster("pg1")), T0);

        TopologyApplied withNightly = cluster("pg1", schedule("nightly", "0 2 * * *", null));
        tick(List.of(withNightly), T0.plusSeconds(10));
        assertThat(fired).isEmpty();

        tick(List.of(withNightly), Instant.parse("2026-12-04T02:00:05Z"));
        assertThat(fired).extracting(BackupRequested::backupId).containsExactly("nightly-20261204T0200Z");
    }

    @Test
    void aClusterBeingRestoredFiresNothingAndTheSkippedTimeIsReported() {
        scheduler.own(c -> true);
        List<TopologyApplied> t = List.of(cluster("pg1", schedule("every-minute", "* * * * *", null)));
        tick(t, T0);

        restoring = "drill-1";
        tick(t, T0.plusSeconds(31));
        tick(t, T0.plusSeconds(40));
        restoring = null;
        tick(t, T0.plusSeconds(50));
        tick(t, T0.plusSeconds(91));

        assertThat(fired).extracting(BackupRequested::backupId).containsExactly("every-minute-20261203T1000Z",
                "every-minute-20261203T1002Z");
        assertThat(skipped).hasSize(1);
        assertThat(skipped.get(0).backupId()).isEqualTo("every-minute-20261203T1001Z");
        assertThat(skipped.get(0).reason()).contains("restore drill-1 is running");
    }

    @Test
    void onlyOwnedClustersAndEnabledSchedulesFire_andAClusterTakenBackIsCheckedAfresh() {
        scheduler.own(c -> c.equals("pg1"));
        List<TopologyApplied> t = List.of(cluster("pg1", schedule("m", "* * * * *", null)),
                cluster("pg2", schedule("m", "* * * * *", null)),
                cluster("pg3", new ScheduleSpec("off", "* * * * *", null, null, false)));

        tick(t, T0);
        assertThat(fired).extracting(BackupRequested::cluster).containsExactly("pg1");

        scheduler.own(c -> !c.equals("pg1"));
        tick(t, T0.plusSeconds(10));
        assertThat(fired).extracting(BackupRequested::cluster).containsExactly("pg1", "pg2");

        scheduler.own(c -> true);
        tick(t, T0.plusSeconds(20));
        // pg1 came back: its due time is fired again (the same backup id), as nothing says it is complete.
        assertThat(fired).extracting(BackupRequested::backupId).containsExactly("m-20261203T1000Z",
                "m-20261203T1000Z", "m-20261203T1000Z");
    }

    @Test
    void aFiringThatFailsIsTriedAgainAtTheNextTick() {
        List<BackupRequested> published = new ArrayList<>();
        boolean[] busUp = {false};
        BackupScheduler flaky = new BackupScheduler(new BackupScheduler.Firing() {
            @Override
            public void fire(BackupRequested request) {
                if (!busUp[0]) {
                    throw new IllegalStateException("broker unreachable");
                }
                published.add(request);
            }

            @Override
            public void skip(BackupSkipped s) {
            }
        }, (topology, backupId, storages) -> false);
        flaky.own(c -> true);
        List<TopologyApplied> t = List.of(cluster("pg1", schedule("m", "* * * * *", null)));

        flaky.tick(clusters(t), T0);
        busUp[0] = true;
        flaky.tick(clusters(t), T0.plusSeconds(10));
        flaky.tick(clusters(t), T0.plusSeconds(20));

        assertThat(published).extracting(BackupRequested::backupId).containsExactly("m-20261203T1000Z");
    }

    @Test
    void aDueTimeBeforeTheConfigWasAppliedIsNotCaughtUp() {
        scheduler.own(c -> true);
        appliedAt = T0.minusSeconds(10); // applied at 10:00:20, after the 10:00 due time
        List<TopologyApplied> t = List.of(cluster("pg1", schedule("every-minute", "* * * * *", null)));

        tick(t, T0);
        tick(t, T0.plusSeconds(31));

        assertThat(fired).extracting(BackupRequested::backupId).containsExactly("every-minute-20261203T1001Z");
    }

    private void tick(List<TopologyApplied> topologies, Instant now) {
        scheduler.tick(clusters(topologies), now);
    }

    private BackupScheduler.Clusters clusters(List<TopologyApplied> topologies) {
        return new BackupScheduler.Clusters() {
            @Override
            public java.util.Collection<TopologyApplied> all() {
                return topologies;
            }

            @Override
            public Optional<Instant> appliedAt(String cluster) {
                return Optional.of(appliedAt);
            }

            @Override
            public Optional<String> restoreOf(String cluster) {
                return Optional.ofNullable(restoring);
            }
        };
    }

    static ScheduleSpec schedule(String name, String cron, List<String> storages) {
        return new ScheduleSpec(name, cron, null, storages, null);
    }

    static TopologyApplied cluster(String name, ScheduleSpec... schedules) {
        StorageSpec a = new StorageSpec(true, StorageType.FILESYSTEM, null, new FilesystemSpec("/a", null));
        StorageSpec b = new StorageSpec(false, StorageType.FILESYSTEM, null, new FilesystemSpec("/b", null));
        return new TopologyApplied(name, 1, "a", List.of("b"), new BackupConfigSpec(
                new PostgresSpec("127.0.0.1", 5432, "postgres", null, null, null, null), new PitrSpec(true),
                Map.of("a", a, "b", b), List.of(schedules)), false, "test");
    }
}
