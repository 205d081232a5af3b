package io.stowage.cli.backup;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.cli.render.Text;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupRequested;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Asks for a base backup ({@code backup.requested.v1}) and, when asked to, follows it to its outcome. */
public final class BackupRun {
    static final String SOURCE = "/stowage/cli";
    private static final Duration POLL = Duration.ofMillis(250);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    /**
     * How long to wait.
     *
     * @param outcome     for the outcome (completed or failed)
     * @param firstAnswer for backup-service's first word about the request, or null to wait for the outcome only
     *                    (a busy backup-service takes one request at a time, so a queued one may wait long)
     */
    public record Limits(Duration outcome, Duration firstAnswer) {
    }

    private final KafkaConnection kafka;
    private final String cluster;
    private final Envelope<BackupRequested> request;

    /**
     * @param storages the storage names, or null or empty for the main storage
     * @param backupId the backup id (the idempotency key), or null for the time and a random suffix
     */
    public BackupRun(KafkaConnection kafka, String cluster, List<String> storages, String backupId) {
        this.kafka = kafka;
        this.cluster = cluster;
        List<String> names = storages == null ? List.of()
                : storages.stream().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
        this.request = Envelope.root(SOURCE, new BackupRequested(cluster, names.isEmpty() ? null : names,
                backupId != null ? backupId : newBackupId(Instant.now())));
    }

    /** {@code 20261122T031500Z-1a2b}: sorts by time, and two requests in one second still differ. */
    static String newBackupId(Instant now) {
        return ID_TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 4);
    }

    public Envelope<BackupRequested> request() {
        return request;
    }

    public String backupId() {
        return request.data().backupId();
    }

    /** Publishes the request and says so; the outcome is not awaited. */
    public void publish(PrintWriter out) {
        try (KafkaEventPublisher publisher = new KafkaEventPublisher(kafka, "stowage-cli")) {
            publisher.publishAndWait(request);
        }
        announce(out);
    }

    /**
     * Publishes the request and follows it: started, a progress bar, the outcome.
     *
     * @return the completed backup
     * @throws CliFailure when it failed, or no outcome (or no first answer) came in time
     */
    public BackupCompleted publishAndFollow(PrintWriter out, boolean redraw, Limits limits) {
        // The reader fixes "now" before the request is written, so no answer can slip by.
        try (BusReader reader = new BusReader(kafka, List.of(Topics.BACKUP), false)) {
            try (KafkaEventPublisher publisher = new KafkaEventPublisher(kafka, "stowage-cli")) {
                publisher.publishAndWait(request);
            }
            announce(out);
            out.println("Waiting for backup-service (Ctrl-C stops waiting, not the backup)...");
            out.flush();
            BackupFollow.Outcome outcome = follow(reader, new BackupFollow(request.correlationId(), out, redraw),
                    limits);
            if (!outcome.succeeded()) {
                throw new CliFailure("backup " + Text.clean(outcome.failed().backupId()) + " of " + Text.clean(cluster)
                        + " failed: " + Text.clean(outcome.failed().reason()));
            }
            return outcome.completed();
        }
    }

    private BackupFollow.Outcome follow(BusReader reader, BackupFollow follow, Limits limits) {
        Instant started = Instant.now();
        Instant deadline = started.plus(limits.outcome());
        Instant answerDeadline = limits.firstAnswer() == null ? null : started.plus(limits.firstAnswer());
        while (true) {
            for (BusReader.Read read : reader.poll(POLL)) {
                Optional<BackupFollow.Outcome> outcome = follow.accept(read);
                if (outcome.isPresent()) {
                    return outcome.get();
                }
            }
            Instant now = Instant.now();
            if (answerDeadline != null && !follow.answered() && now.isAfter(answerDeadline)) {
                throw new CliFailure("backup-service did not answer backup " + backupId() + " within "
                        + Text.duration(limits.firstAnswer()) + ": is it running (`stowage status`)? The request"
                        + " stays on the bus and is taken up when backup-service runs.");
            }
            if (now.isAfter(deadline)) {
                throw new CliFailure("no outcome for backup " + backupId() + " within "
                        + Text.duration(limits.outcome()) + "; it may still run: `stowage events tail --cluster "
                        + cluster + "` shows how it ends");
            }
        }
    }

    private void announce(PrintWriter out) {
        List<String> storages = request.data().storages();
        out.println("Requested backup " + backupId() + " of " + cluster + " to "
                + (storages == null ? "the main storage" : String.join(", ", storages))
                + " (correlation " + Text.shortId(request.correlationId()) + ").");
        out.flush();
    }
}
