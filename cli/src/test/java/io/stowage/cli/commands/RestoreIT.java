package io.stowage.cli.commands;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.cli.Cli;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.EventRejected;
import io.stowage.events.data.PitrTarget;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreTarget;
import io.stowage.events.data.StowageEvent;
import io.stowage.localstack.SharedKafka;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static io.stowage.events.data.RestoreStepStatus.COMPLETED;
import static io.stowage.events.data.RestoreStepStatus.SKIPPED;
import static io.stowage.events.data.RestoreStepStatus.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code restore} against a real broker, run in-process, with this test in restore-service's place: it takes the
 * request off {@code stowage.restore} and answers in the request's correlation, each answer caused by it.
 */
class RestoreIT {
    private static final String SERVICE = "/stowage/restore-service";
    private static String bootstrap;

    @BeforeAll
    static void broker() {
        bootstrap = SharedKafka.bootstrapServers();
    }

    private static String cluster() {
        return "it-restore-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Stands in for restore-service: waits for the next request of the cluster, publishes first an outcome of another
     * restore (which the command must pass over), then the answers, on the topic each belongs to, caused by the request.
     * Completes with the request.
     */
    private static CompletableFuture<Envelope<StowageEvent>> answer(String cluster,
            Function<Envelope<StowageEvent>, List<Envelope<?>>> answers) {
        // Opened here, before the command publishes: "now" is fixed, so the request cannot slip by.
        BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.RESTORE), false);
        return CompletableFuture.supplyAsync(() -> {
            try (reader; KafkaEventPublisher publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "it-restore-service")) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                    for (BusReader.Read read : reader.poll(Duration.ofMillis(200))) {
                        if (read.valid() && read.event().data() instanceof RestoreRequested request
                                && cluster.equals(request.cluster())) {
                            publisher.publishAndWait(Envelope.root(SERVICE, new RestoreFailed(cluster, "r-other",
                                    RestoreStepName.STOP_PRIMARY.wireName(), "not this one")));
                            for (Envelope<?> answer : answers.apply(read.event())) {
                                publisher.publishAndWait(answer);
                            }
                            return read.event();
                        }
                    }
                }
                throw new IllegalStateException("no restore.requested of " + cluster + " within 30 s");
            }
        });
    }

    private static Envelope<?> causedBy(Envelope<StowageEvent> request, StowageEvent answer) {
        return Envelope.causedBy(request, SERVICE, answer);
    }

    @Test
    void withWaitItFollowsTheStepsAndSaysWhereTheOldDataIs() throws Exception {
        String cluster = cluster();
        CompletableFuture<Envelope<StowageEvent>> service = answer(cluster, request -> {
            String id = ((RestoreRequested) request.data()).restoreId();
            return List.of(
                    causedBy(request, new RestoreStarted(cluster, id, "b-7", "local-fs")),
                    causedBy(request, new RestoreStep(cluster, id, RestoreStepName.FETCH_BASE_BACKUP, SKIPPED, null)),
                    causedBy(request, new RestoreStep(cluster, id, RestoreStepName.STOP_PRIMARY, STARTED, null)),
                    causedBy(request, new RestoreStep(cluster, id, RestoreStepName.STOP_PRIMARY, COMPLETED,
                            "stopped (fast)")),
                    causedBy(request, new RestoreCompleted(cluster, id, "b-7", "local-fs", "/srv/pg/data",
                            "/srv/pg/data.before-" + id)));
        });

        Cli.Result result = Cli.run("restore", "--kafka", bootstrap, "--cluster", cluster, "--storage", "local-fs",
                "--lsn", "0/3000028", "--restore-id", "it-r1", "--wait", "--timeout", "30s");

        assertThat(result.exitCode()).as(result.err()).isZero();
        Envelope<StowageEvent> request = service.get(30, TimeUnit.SECONDS);
        assertThat(request.data()).isEqualTo(new RestoreRequested(cluster, "latest", "local-fs",
                new PitrTarget(null, "0/3000028"), null, null, "it-r1", null));
        assertThat(request.subject()).isEqualTo(cluster);
        assertThat(request.correlationId()).isEqualTo(request.id());
        String mark = result.out().contains("✓") ? "✓" : "ok";
        assertThat(result.lines()).containsExactly(
                "Requested restore it-r1 of " + cluster + ": backup latest from local-fs, up to LSN 0/3000028,"
                        + " in place (correlation " + request.id().substring(0, 8) + ").",
                "Waiting for restore-service (Ctrl-C stops waiting, not the restore)...",
                "Started: restore it-r1 of backup b-7 from local-fs.",
                "  " + (mark.equals("ok") ? "--" : "↷") + " fetch-base-backup  skipped",
                "  " + (mark.equals("ok") ? ".." : "…") + " stop-primary",
                "  " + mark + " stop-primary  stopped (fast)",
                "Restored backup b-7 from storage local-fs into /srv/pg/data; the previous data is kept in"
                        + " /srv/pg/data.before-it-r1.");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void aFailedRestoreIsExitCodeOneWithTheStepAndHowToRunItAgain() throws Exception {
        String cluster = cluster();
        CompletableFuture<Envelope<StowageEvent>> service = answer(cluster, request -> {
            String id = ((RestoreRequested) request.data()).restoreId();
            return List.of(
                    causedBy(request, new RestoreStarted(cluster, id, "b-7", "local-fs")),
                    causedBy(request, new RestoreFailed(cluster, id, RestoreStepName.FETCH_WAL.wireName(),
                            "000000010000000000000009 is on no storage")));
        });

        Cli.Result result = Cli.run("restore", "--kafka", bootstrap, "--cluster", cluster, "--storage", "local-fs",
                "--target-dir", "/srv/drill", "--port", "5433", "--wait", "--timeout", "30s");

        assertThat(result.exitCode()).isEqualTo(1);
        RestoreRequested request = (RestoreRequested) service.get(30, TimeUnit.SECONDS).data();
        String id = request.restoreId();
        assertThat(id).matches("r-[0-9a-f]{8}");
        assertThat(request.target()).isEqualTo(new RestoreTarget("/srv/drill", 5433));
        assertThat(result.lines()).first().asString().startsWith("Requested restore " + id + " of " + cluster
                + ": backup latest from local-fs, to the backup's end, into a new instance in /srv/drill on port 5433");
        assertThat(result.err().lines()).containsExactly(
                "stowage: restore " + id + " failed at step fetch-wal: 000000010000000000000009 is on no storage",
                "run the same command with --restore-id " + id + " to try again");
    }

    @Test
    void aRequestRefusedByRestoreServiceIsExitCodeOneWithTheReason() throws Exception {
        String cluster = cluster();
        CompletableFuture<Envelope<StowageEvent>> service = answer(cluster, request -> List.of(
                Envelope.root("/stowage/restore-service", new EventRejected(cluster, Topics.RESTORE, 0, 0,
                        request.type().type(), request.id(), "restore-service", "$.storage: unknown storage nope"))));

        Cli.Result result = Cli.run("restore", "--kafka", bootstrap, "--cluster", cluster, "--storage", "nope",
                "--restore-id", "it-r3", "--wait", "--timeout", "30s");

        assertThat(result.exitCode()).isEqualTo(1);
        service.get(30, TimeUnit.SECONDS);
        assertThat(result.err()).isEqualToIgnoringNewLines(
                "stowage: restore it-r3 was refused by restore-service: $.storage: unknown storage nope");
    }

    @Test
    void withoutAnOutcomeInTimeItSaysTheRestoreMayStillRun() {
        String cluster = cluster();

        Cli.Result result = Cli.run("restore", "--kafka", bootstrap, "--cluster", cluster, "--storage", "local-fs",
                "--restore-id", "it-r4", "--wait", "--timeout", "2s");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("stowage: no outcome for restore it-r4 within 2 s (no answer at all: is"
                + " restore-service running? `stowage status`); it may still be running: `stowage events tail"
                + " --cluster " + cluster + "`");
    }

    @Test
    void withoutWaitItPublishesTheRequestAndPrintsItsIds() {
        String cluster = cluster();
        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.RESTORE), false)) {
            Cli.Result result = Cli.run("restore", "--kafka", bootstrap, "--cluster", cluster, "--storage", "local-fs",
                    "--time", "2026-12-01T10:15:00Z", "--backup-after-restore");

            assertThat(result.exitCode()).as(result.err()).isZero();
            List<Envelope<StowageEvent>> requests = reader.readToEnd(Duration.ofSeconds(30)).stream()
                    .filter(BusReader.Read::valid).map(BusReader.Read::event)
                    .filter(e -> e.data() instanceof RestoreRequested r && r.cluster().equals(cluster)).toList();
            assertThat(requests).singleElement().satisfies(e -> {
                RestoreRequested r = (RestoreRequested) e.data();
                assertThat(r.backupAfterRestore()).isTrue();
                assertThat(r.pitr().time()).isEqualTo("2026-12-01T10:15:00Z");
                assertThat(result.lines()).containsExactly(
                        "Requested restore " + r.restoreId() + " of " + cluster + ": backup latest from local-fs, up"
                                + " to 2026-12-01T10:15:00Z, in place, then a backup (correlation "
                                + e.correlationId().substring(0, 8) + ").",
                        "restore-service takes it from here: `stowage events tail --cluster " + cluster + "` shows"
                                + " how it goes; if it fails, run the same command with --restore-id "
                                + r.restoreId() + " to try again.");
            });
        }
    }
}
