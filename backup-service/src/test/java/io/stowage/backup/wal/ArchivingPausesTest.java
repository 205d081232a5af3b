package io.stowage.backup.wal;

import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.data.StowageEvent;
import org.junit.jupiter.api.Test;

import static io.stowage.events.data.RestoreStepName.PAUSE_ARCHIVING;
import static io.stowage.events.data.RestoreStepName.RESUME_ARCHIVING;
import static io.stowage.events.data.RestoreStepStatus.COMPLETED;
import static io.stowage.events.data.RestoreStepStatus.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

class ArchivingPausesTest {
    private final ArchivingPauses pauses = new ArchivingPauses();

    private static Envelope<?> step(String cluster, String restore, RestoreStepName step, RestoreStepStatus status) {
        return event(new RestoreStep(cluster, restore, step, status, null));
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
}
