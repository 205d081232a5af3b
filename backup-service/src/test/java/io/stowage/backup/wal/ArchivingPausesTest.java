package io.stowage.backup.wal;

import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.RestoreProgress;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.stowage.events.data.RestoreStepName.PAUSE_ARCHIVING;
import static io.stowage.events.data.RestoreStepName.RESUME_ARCHIVING;
import static io.stowage.events.data.RestoreStepStatus.COMPLETED;
import static io.stowage.events.data.RestoreStepStatus.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

class ArchivingPausesTest {
    private static final Duration LEASE = Duration.ofMinutes(10);
    private Instant now = Instant.now();
    private final ArchivingPauses pauses = new ArchivingPauses(LEASE, () -> now);

    private static Envelope<?> step(String cluster, String restore, RestoreStepName step, RestoreStepStatus status) {
        return event(new RestoreStep(cluster, restore, step, status, null));
    }

    /** An event published at {@code time} (by the publisher's clock). */
    private static Envelope<?> at(Instant time, StowageEvent data) {
        return new Envelope<>(java.util.UUID.randomUUID().toString(), "/stowage/restore-service",
                io.stowage.events.EventType.of(data), time.atOffset(java.time.ZoneOffset.UTC), data.cluster(), "c1",
                null, data);
    }

    private static Envelope<?> event(StowageEvent data) {
        return Envelope.root("/test", data);
    }

    @Test
    void aPauseHoldsUntilResumedAndIsAnsweredOnce() {
        Envelope<?> request = step("pg1", "r1", PAUSE_ARCHIVING, STARTED);
        assertThat(pauses.apply(request)).isTrue();

        assertThat(pauses.pausedBy("pg1")).map(ArchivingPauses.Request::restoreId).contains("r1");
        assertThat(pauses.pausedBy("pg2")).isEmpty();
        assertThat(pauses.unansweredPause("pg1")).map(ArchivingPauses.Request::event).contains(request);

        // The answer, seen on the topic (from this or another instance), settles it.
        pauses.apply(step("pg1", "r1", PAUSE_ARCHIVING, COMPLETED));
        assertThat(pauses.unansweredPause("pg1")).isEmpty();
        assertThat(pauses.pausedBy("pg1")).isPresent();

        pauses.apply(step("pg1", "r1", RESUME_ARCHIVING, STARTED));
        assertThat(pauses.pausedBy("pg1")).isEmpty();
        assertThat(pauses.unansweredResume("pg1")).isPresent();
        pauses.apply(step("pg1", "r1", RESUME_ARCHIVING, COMPLETED));
        assertThat(pauses.unansweredResume("pg1")).isEmpty();
    }

    @Test
    void aRestoreThatEndsNeverLeavesItsClusterPaused() {
        pauses.apply(step("pg1", "r1", PAUSE_ARCHIVING, STARTED));
        pauses.apply(step("pg2", "r2", PAUSE_ARCHIVING, STARTED));

        pauses.apply(event(new RestoreFailed("pg1", "r1", "extract-base-backup", "checksum mismatch")));
        pauses.apply(event(new RestoreCompleted("pg2", "r2", "b1", "local", "/srv/new", "/srv/old")));

        assertThat(pauses.pausedBy("pg1")).isEmpty();
        assertThat(pauses.pausedBy("pg2")).isEmpty();
    }

    @Test
    void aRestoreRunAgainPausesAgainAndIsAnsweredAgain() {
        pauses.apply(step("pg1", "r1", PAUSE_ARCHIVING, STARTED));
        pauses.apply(step("pg1", "r1", PAUSE_ARCHIVING, COMPLETED));
        pauses.apply(event(new RestoreFailed("pg1", "r1", "start", "did not start")));

        pauses.apply(step("pg1", "r1", PAUSE_ARCHIVING, STARTED));

        assertThat(pauses.unansweredPause("pg1")).isPresent();
    }

    @Test
    void anAnswerGivenHereCountsBeforeItComesBack() {
        pauses.apply(step("pg1", "r1", PAUSE_ARCHIVING, STARTED));
        pauses.answered(pauses.unansweredPause("pg1").orElseThrow(), PAUSE_ARCHIVING);

        assertThat(pauses.unansweredPause("pg1")).isEmpty();
    }

    @Test
    void otherRestoreEventsChangeNothing() {
        assertThat(pauses.apply(event(new RestoreStarted("pg1", "r1", "b1", "local")))).isFalse();
        assertThat(pauses.apply(event(new RestoreStep("pg1", "r1", "extract-base-backup", STARTED.wireName(), null))))
                .isFalse();
        assertThat(pauses.pausedBy("pg1")).isEmpty();
    }

    // issue 13, item 7: a pause is a lease

    @Test
    void aPauseWhoseRestoreFallsSilentLapses_archivingAndBackupsResume_andTheRestoreRenewsItIfItComesBack() {
        pauses.apply(step("pg1", "r1", PAUSE_ARCHIVING, STARTED));
        pauses.apply(step("pg1", "r1", PAUSE_ARCHIVING, COMPLETED));
        now = now.plus(Duration.ofMinutes(9));
        assertThat(pauses.pausedBy("pg1")).as("within the lease").isPresent();
        assertThat(pauses.lapsedCount()).isZero();

        // restore-service killed: nothing more comes.
        now = now.plus(Duration.ofMinutes(2));
        assertThat(pauses.pausedBy("pg1")).as("lapsed").isEmpty();
        assertThat(pauses.lapsedPause("pg1")).map(ArchivingPauses.Request::restoreId).contains("r1");
        assertThat(pauses.lapsedCount()).isEqualTo(1);
        assertThat(pauses.unansweredPause("pg1")).isEmpty();

        // Its next run is heard of again (a heartbeat): the pause holds again.
        assertThat(pauses.apply(at(now, new RestoreProgress("pg1", "r1", "fetch-wal", "running for 3 s"))))
                .as("worth a reconcile").isTrue();
        assertThat(pauses.pausedBy("pg1")).isPresent();
    }

    @Test
    void heartbeatsKeepALongRestoresPause() {
        Instant paused = now;
        pauses.apply(step("pg1", "r1", PAUSE_ARCHIVING, STARTED));
        for (int minute = 1; minute <= 60; minute++) {
            now = paused.plus(Duration.ofMinutes(minute));
            pauses.apply(at(now, new RestoreProgress("pg1", "r1", "fetch-base-backup", "running")));
        }
        assertThat(pauses.pausedBy("pg1")).as("an hour of heartbeats").isPresent();
        assertThat(pauses.lastHeard(pauses.pausedBy("pg1").orElseThrow())).isEqualTo(now);
    }
}
