package io.stowage.cli.commands;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.cli.Cli;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupProgress;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.BackupStarted;
import io.stowage.events.data.StowageEvent;
import io.stowage.localstack.SharedKafka;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code backup create} against a real broker, run in-process, with this test in backup-service's place: it takes
 * the request off {@code stowage.backup} and answers in the request's correlation, each answer caused by it, as
 * backup-service does.
 */
class BackupCreateIT {
    private static final String SERVICE = "/stowage/backup-service";
    private static final long MIB = 1024 * 1024;
    private static final List<String> BOTH = List.of("local-fs", "local-s3");
    private static final OffsetDateTime START = OffsetDateTime.parse("2026-11-22T09:30:01Z");
    private static String bootstrap;

    @BeforeAll
    static void broker() {
        bootstrap = SharedKafka.bootstrapServers();
    }

    private static String cluster() {
        return "it-backup-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Stands in for backup-service: waits for the next request of the cluster, then publishes first an outcome of
     * another request (which the command must pass over), then the given answers. Completes with the request.
     */
    private static CompletableFuture<Envelope<StowageEvent>> answer(String cluster,
            Function<BackupRequested, List<StowageEvent>> answers) {
        // Opened here, before the command publishes: "now" is fixed, so the request cannot slip by.
        BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false);
        return CompletableFuture.supplyAsync(() -> {
            try (reader; KafkaEventPublisher publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "it-backup-service")) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline) {
                    for (BusReader.Read read : reader.poll(Duration.ofMillis(200))) {
                        if (read.valid() && read.event().data() instanceof BackupRequested request
                                && cluster.equals(request.cluster())) {
                            publisher.publishAndWait(Envelope.root(SERVICE, new BackupCompleted(cluster, "other-id",
                                    BOTH, "0/1000000", "0/1000100", "00000001", START, START, 1, 1)));
                            for (StowageEvent answer : answers.apply(request)) {
                                publisher.publishAndWait(Envelope.causedBy(read.event(), SERVICE, answer));
                            }
                            return read.event();
                        }
                    }
                }
                throw new IllegalStateException("no backup.requested of " + cluster + " within 60 s");
            }
        });
    }

    @Test
    void withWaitItFollowsTheRequestToItsCompletionWithAProgressBar() throws Exception {
        String cluster = cluster();
        CompletableFuture<Envelope<StowageEvent>> service = answer(cluster, r -> List.of(
                new BackupStarted(cluster, r.backupId(), r.storages()),
                new BackupProgress(cluster, r.backupId(), 40 * MIB, 100 * MIB, 20 * MIB),
                new BackupProgress(cluster, r.backupId(), 80 * MIB, 100 * MIB, 20 * MIB),
                new BackupCompleted(cluster, r.backupId(), r.storages(), "0/2000028", "0/2000138", "00000001", START,
                        START.plusSeconds(5), 100 * MIB, 45 * MIB)));

        Cli.Result result = Cli.run("backup", "create", "--kafka", bootstrap, "--cluster", cluster,
                "--storage", "local-fs,local-s3", "--backup-id", "it-b1", "--wait", "--timeout", "60s");

        assertThat(result.exitCode()).as(result.err()).isZero();
        Envelope<StowageEvent> request = service.get(60, TimeUnit.SECONDS);
        assertThat(request.data()).isEqualTo(new BackupRequested(cluster, BOTH, "it-b1"));
        assertThat(request.subject()).isEqualTo(cluster);
        assertThat(request.correlationId()).isEqualTo(request.id());
        // Not a terminal: one line per progress event, nothing redrawn.
        assertThat(result.out()).doesNotContain("\r");
        assertThat(result.lines()).containsExactly(
                "Requested backup it-b1 of " + cluster + " to local-fs, local-s3 (correlation "
                        + request.id().substring(0, 8) + ").",
                "Waiting for backup-service (Ctrl-C stops waiting, not the backup)...",
                "Started: backup it-b1, one read of " + cluster + ", written to local-fs, local-s3.",
                "[############..................]   40%  40.0 MiB of ~100.0 MiB  20.0 MiB/s  ~3 s left",
                "[########################......]   80%  80.0 MiB of ~100.0 MiB  20.0 MiB/s  ~1 s left",
                "[##############################]  100%  100.0 MiB",
                "Completed: backup it-b1 on local-fs, local-s3: 100.0 MiB read, 45.0 MiB stored (zstd), "
                        + "WAL 0/2000028 to 0/2000138 on timeline 00000001, in 5 s.");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void aFailedBackupIsExitCodeOneWithItsReason() throws Exception {
        String cluster = cluster();
        CompletableFuture<Envelope<StowageEvent>> service = answer(cluster, r -> List.of(
                new BackupStarted(cluster, r.backupId(), List.of("local-fs")),
                new BackupFailed(cluster, r.backupId(), List.of("local-fs"),
                        "pg_basebackup: error: connection to server at \"127.0.0.1\", port 5432 failed")));

        Cli.Result result = Cli.run("backup", "create", "--kafka", bootstrap, "--cluster", cluster,
                "--backup-id", "it-b2", "--wait", "--timeout", "60s");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(service.get(60, TimeUnit.SECONDS).data()).isEqualTo(new BackupRequested(cluster, null, "it-b2"));
        assertThat(result.lines()).first().asString().contains("to the main storage");
        assertThat(result.out()).contains("Started: backup it-b2").doesNotContain("Completed");
        assertThat(result.err()).isEqualToIgnoringNewLines("stowage: backup it-b2 of " + cluster
                + " failed: pg_basebackup: error: connection to server at \"127.0.0.1\", port 5432 failed");
    }

    @Test
    void withoutAnOutcomeInTimeItExitsNonZeroAndSaysHowToFollowIt() {
        String cluster = cluster();

        Cli.Result result = Cli.run("backup", "create", "--kafka", bootstrap, "--cluster", cluster,
                "--backup-id", "it-b3", "--wait", "--timeout", "2s");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("stowage: no outcome for backup it-b3 within 2 s; it may still run: "
                + "`stowage events tail --cluster " + cluster + "`");
    }

    @Test
    void withoutWaitItOnlyPublishesTheRequestForTheMainStorage() throws Exception {
        String cluster = cluster();
        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false)) {
            Cli.Result result = Cli.run("backup", "create", "--kafka", bootstrap, "--cluster", cluster);

            assertThat(result.exitCode()).as(result.err()).isZero();
            assertThat(result.lines()).hasSize(2);
            assertThat(result.lines().get(0)).matches("Requested backup \\d{8}T\\d{6}Z-[0-9a-f]{4} of " + cluster
                    + " to the main storage \\(correlation [0-9a-f-]{8}\\)\\.");
            List<BackupRequested> requests = reader.readToEnd(Duration.ofSeconds(30)).stream()
                    .filter(BusReader.Read::valid).map(r -> r.event().data())
                    .filter(BackupRequested.class::isInstance).map(BackupRequested.class::cast)
                    .filter(r -> r.cluster().equals(cluster)).toList();
            assertThat(requests).singleElement().satisfies(r -> {
                assertThat(r.storages()).isNull();
                assertThat(result.lines().get(0)).contains("backup " + r.backupId() + " of");
            });
        }
    }
}
