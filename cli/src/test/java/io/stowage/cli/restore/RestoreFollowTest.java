package io.stowage.cli.restore;

import io.stowage.bus.BusReader;
import io.stowage.cli.Records;
import io.stowage.events.Envelope;
import io.stowage.events.data.ConfigRejected;
import io.stowage.events.data.EventRejected;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.data.ResyncCompleted;
import io.stowage.events.data.StowageEvent;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import static io.stowage.events.data.RestoreStepName.FETCH_BASE_BACKUP;
import static io.stowage.events.data.RestoreStepName.FETCH_WAL;
import static io.stowage.events.data.RestoreStepName.PAUSE_ARCHIVING;
import static io.stowage.events.data.RestoreStepName.STOP_PRIMARY;
import static io.stowage.events.data.RestoreStepStatus.COMPLETED;
import static io.stowage.events.data.RestoreStepStatus.SKIPPED;
import static io.stowage.events.data.RestoreStepStatus.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

class RestoreFollowTest {
    private static final String REQUEST = "req-1";
    private static final Envelope<RestoreRequested> REQUESTED = Records.envelope(REQUEST, REQUEST,
            new RestoreRequested("pg1", "latest", "local-fs", null, null, null, "r-1a2b3c4d", null));

    private final StringWriter printed = new StringWriter();
    private final RestoreFollow follow = new RestoreFollow(REQUESTED, new PrintWriter(printed), StepMarks.UNICODE);

    private static BusReader.Read event(String id, String correlation, StowageEvent data) {
        return Records.read(Records.envelope(id, correlation, data));
    }

    private static RestoreStep step(RestoreStepName name, RestoreStepStatus status, String detail) {
        return new RestoreStep("pg1", "r-1a2b3c4d", name, status, detail);
    }

    private Optional<RestoreFollow.Outcome> answer(String id, StowageEvent data) {
        return follow.accept(event(id, REQUEST, data));
    }

    @Test
    void eachStepIsOneLineAndTheCompletedRestoreIsTheOutcome() {
        assertThat(follow.accept(Records.read(REQUESTED))).isEmpty();
        assertThat(follow.answered()).as("its own request is no answer").isFalse();
        answer("2", new RestoreStarted("pg1", "r-1a2b3c4d", "20261122T032421Z-0732", "local-fs"));
        assertThat(follow.answered()).isTrue();
        answer("3", step(PAUSE_ARCHIVING, STARTED, null));
        answer("4", step(PAUSE_ARCHIVING, COMPLETED, "000000010000000000000007 on local-fs"));
        answer("5", step(FETCH_BASE_BACKUP, SKIPPED, "done by an earlier run of this restore"));
        answer("6", step(STOP_PRIMARY, STARTED, ""));
        RestoreCompleted completed = new RestoreCompleted("pg1", "r-1a2b3c4d", "20261122T032421Z-0732", "local-fs",
                "/srv/pg1/data", "/srv/pg1/data.before-r-1a2b3c4d");
        Optional<RestoreFollow.Outcome> outcome = answer("7", completed);

        assertThat(outcome).contains(new RestoreFollow.Completed(completed));
        assertThat(printed.toString().lines().toList()).containsExactly(
                "Started: restore r-1a2b3c4d of backup 20261122T032421Z-0732 from local-fs.",
                "  … pause-archiving",
                "  ✓ pause-archiving  000000010000000000000007 on local-fs",
                "  ↷ fetch-base-backup  skipped: done by an earlier run of this restore",
                "  … stop-primary");
        assertThat(RestoreLines.completed(completed)).isEqualTo("Restored backup 20261122T032421Z-0732 from storage"
                + " local-fs into /srv/pg1/data; the previous data is kept in /srv/pg1/data.before-r-1a2b3c4d.");
    }

    @Test
    void aRestoreIntoANewInstanceKeepsNoPreviousData() {
        RestoreCompleted completed = new RestoreCompleted("pg1", "r-1", "b1", "local-s3", "/srv/drill", null);

        assertThat(RestoreLines.completed(completed))
                .isEqualTo("Restored backup b1 from storage local-s3 into /srv/drill (a new instance).");
    }

    @Test
    void aFailureNamesTheStepAndHowToRunItAgain() {
        RestoreFailed failed = new RestoreFailed("pg1", "r-1a2b3c4d", FETCH_WAL.wireName(),
                "segment 000000010000000000000009 is on no storage");

        assertThat(answer("9", failed)).contains(new RestoreFollow.Failed(failed));
        assertThat(RestoreLines.failed(failed).lines()).containsExactly(
                "restore r-1a2b3c4d failed at step fetch-wal: segment 000000010000000000000009 is on no storage",
                "run the same command with --restore-id r-1a2b3c4d to try again");
        assertThat(RestoreLines.failed(new RestoreFailed("pg1", "r-1", null, "WAL gap")).lines()).first()
                .isEqualTo("restore r-1 failed in its checks: WAL gap");
    }

    @Test
    void aRejectionOfThisRequestIsARefusal() {
        EventRejected other = new EventRejected("pg1", "stowage.restore", 0, 41, "io.stowage.restore.requested.v1",
                "someone-else", "restore-service", "no");
        EventRejected mine = new EventRejected("pg1", "stowage.restore", 0, 42, "io.stowage.restore.requested.v1",
                REQUEST, "restore-service", "cluster pg1 is unknown");

        // A rejection starts its own correlation: it names the refused record by its ce id.
        assertThat(follow.accept(event("r1", "r1", other))).isEmpty();
        assertThat(follow.accept(event("r2", "r2", mine)))
                .contains(new RestoreFollow.Refused("restore-service", "cluster pg1 is unknown"));
        assertThat(printed.toString()).isEmpty();
    }

    @Test
    void aConfigRejectedInItsCorrelationIsARefusalByConfigService() {
        Optional<RestoreFollow.Outcome> outcome = answer("2", new ConfigRejected("pg1",
                "restore.requested.v1 req-1 (restore r-1a2b3c4d)", null, "cluster", "no applied topology"));

        assertThat(outcome).hasValueSatisfying(o -> assertThat(o).isInstanceOfSatisfying(RestoreFollow.Refused.class,
                r -> {
                    assertThat(r.consumer()).isEqualTo("config-service");
                    assertThat(r.reason()).endsWith("at cluster: no applied topology");
                }));
    }

    @Test
    void otherEventsOfItsCorrelationAreSideNotes() {
        answer("2", new ResyncCompleted("pg1", "backup-source", 2, 2, 0, 0, 12));

        assertThat(printed.toString()).startsWith("  · resync.completed: resync storage=backup-source done:");
    }

    @Test
    void eventsOfOtherRequestsAndInvalidRecordsArePassedOver() {
        assertThat(follow.accept(event("x", "other", new RestoreFailed("pg1", "r-0", STOP_PRIMARY.wireName(), "no"))))
                .isEmpty();
        assertThat(follow.accept(Records.raw("stowage.restore", 0, 7, "pg1",
                Map.of("ce_specversion", "1.0", "ce_id", "bad", "ce_correlationid", REQUEST), "{}"))).isEmpty();

        assertThat(follow.answered()).isFalse();
        assertThat(printed.toString()).isEmpty();
    }

    @Test
    void textFromTheBusCannotMoveTheCursor() {
        answer("2", new RestoreStep("pg1", "r-1a2b3c4d", "evil\u001b[2J", COMPLETED.wireName(), "also\u001b[31m red"));

        assertThat(printed.toString()).contains("evil?[2J", "also?[31m red").doesNotContain("\u001b");
    }

    @Test
    void aTerminalThatCannotShowTheMarksGetsPlainOnes() {
        assertThat(StepMarks.forCharset(StandardCharsets.UTF_8)).isEqualTo(StepMarks.UNICODE);
        assertThat(StepMarks.forCharset(StandardCharsets.US_ASCII)).isEqualTo(StepMarks.ASCII);
    }
}
