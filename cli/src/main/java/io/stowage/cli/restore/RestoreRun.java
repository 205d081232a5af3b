package io.stowage.cli.restore;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.cli.render.Text;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Asks for a restore ({@code restore.requested.v1}) and, when asked to, follows it to its outcome. */
public final class RestoreRun {
    static final String SOURCE = "/stowage/cli";
    private static final Duration POLL = Duration.ofMillis(250);
    /** restore-service's answers, what a backupSource changes (storage, resync), where a refusal is named. */
    private static final List<String> FOLLOWED = List.of(Topics.RESTORE, Topics.STORAGE, Topics.RESYNC,
            Topics.REJECTED);

    private final KafkaConnection kafka;
    private final Envelope<RestoreRequested> request;

    /** @param request its restoreId set: the id the user re-runs a failed restore with */
    public RestoreRun(KafkaConnection kafka, RestoreRequested request) {
        this.kafka = kafka;
        this.request = Envelope.root(SOURCE, request);
    }

    /** {@code r-1a2b3c4d}: short enough to type again after a failure. */
    public static String newRestoreId() {
        return "r-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public Envelope<RestoreRequested> request() {
        return request;
    }

    private String restoreId() {
        return request.data().restoreId();
    }

    private String cluster() {
        return request.data().cluster();
    }

    /** Publishes the request and says so; the outcome is not awaited. */
    public void publish(PrintWriter out) {
        try (KafkaEventPublisher publisher = new KafkaEventPublisher(kafka, "stowage-cli")) {
            publisher.publishAndWait(request);
        }
        announce(out);
    }

    /**
     * Publishes the request and follows it: started, its steps, the outcome.
     *
     * @return the completed restore
     * @throws CliFailure when it failed or was refused, or no outcome came in time
     */
    public RestoreCompleted publishAndFollow(PrintWriter out, StepMarks marks, Duration timeout) {
        // The reader fixes "now" before the request is written, so no answer can slip by.
        try (BusReader reader = new BusReader(kafka, FOLLOWED, false)) {
            try (KafkaEventPublisher publisher = new KafkaEventPublisher(kafka, "stowage-cli")) {
                publisher.publishAndWait(request);
            }
            announce(out);
            out.println("Waiting for restore-service (Ctrl-C stops waiting, not the restore)...");
            out.flush();
            RestoreFollow.Outcome outcome = follow(reader, new RestoreFollow(request, out, marks), timeout);
            if (outcome instanceof RestoreFollow.Completed c) {
                out.println(RestoreLines.completed(c.event()));
                out.flush();
                return c.event();
            }
            if (outcome instanceof RestoreFollow.Failed f) {
                throw new CliFailure(RestoreLines.failed(f.event()));
            }
            RestoreFollow.Refused r = (RestoreFollow.Refused) outcome;
            throw new CliFailure("restore " + restoreId() + " was refused by " + r.consumer() + ": " + r.reason());
        }
    }

    private RestoreFollow.Outcome follow(BusReader reader, RestoreFollow follow, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            for (BusReader.Read read : reader.poll(POLL)) {
                Optional<RestoreFollow.Outcome> outcome = follow.accept(read);
                if (outcome.isPresent()) {
                    return outcome.get();
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new CliFailure("no outcome for restore " + restoreId() + " within " + Text.duration(timeout)
                        + (follow.answered() ? "" : " (no answer at all: is restore-service running? `stowage status`)")
                        + "; it may still be running: `stowage events tail --cluster " + cluster()
                        + "` shows how it ends");
            }
        }
    }

    private void announce(PrintWriter out) {
        out.println("Requested restore " + restoreId() + " of " + cluster() + ": " + RestoreLines.what(request.data())
                + " (correlation " + Text.shortId(request.correlationId()) + ").");
        out.flush();
    }
}
