package io.stowage.cli.commands;

import io.stowage.cli.Cli;
import io.stowage.cli.Records;
import io.stowage.events.Envelope;
import io.stowage.events.data.PitrTarget;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreTarget;
import io.stowage.events.data.VolumeTarget;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code restore}'s options as picocli reads them, and bad input refused before anything is published. */
class RestoreCommandTest {
    private static RestoreRequested request(String... args) {
        CommandLine commandLine = new CommandLine(new RestoreCommand());
        commandLine.parseArgs(args);
        return ((RestoreCommand) commandLine.getCommand()).request();
    }

    @Test
    void byDefaultTheLatestBackupInPlaceUnderANewRestoreId() {
        RestoreRequested r = request("--cluster", "pg1", "--storage", "local-fs");

        assertThat(r.cluster()).isEqualTo("pg1");
        assertThat(r.storage()).isEqualTo("local-fs");
        assertThat(r.backupId()).isEqualTo("latest");
        assertThat(r.pitr()).isNull();
        assertThat(r.inPlace()).isTrue();
        assertThat(r.backupAfterRestore()).isNull();
        assertThat(r.backupSource()).isNull();
        assertThat(r.restoreId()).matches("r-[0-9a-f]{8}");
        assertThat(request("--cluster", "pg1", "--storage", "local-fs").restoreId()).isNotEqualTo(r.restoreId());
    }

    @Test
    void everyOptionGoesIntoTheRequestAndTheRequestMatchesTheSchema() {
        RestoreRequested byTime = request("--cluster", "pg1", "--storage", "local-s3", "--backup", "b-1",
                "--time", "2026-12-01T11:15:00+01:00", "--target-dir", "/srv/drill", "--port", "5433",
                "--backup-after-restore", "--restore-id", "drill-1");
        RestoreRequested byLsn = request("--cluster", "pg1", "--storage", "local-s3", "--lsn", "0/3000a28");

        assertThat(byTime).isEqualTo(new RestoreRequested("pg1", "b-1", "local-s3",
                new PitrTarget(OffsetDateTime.parse("2026-12-01T11:15:00+01:00"), null), null, true, "drill-1",
                new RestoreTarget("/srv/drill", 5433)));
        assertThat(byLsn.pitr()).isEqualTo(new PitrTarget(null, "0/3000A28"));
        for (RestoreRequested r : List.of(byTime, byLsn)) {
            // Encoded and decoded as the bus does it, schema validation included.
            assertThat(Records.read(Envelope.root("/stowage/cli", r)).invalidReason()).isNull();
        }
        assertThat(Records.read(Envelope.root("/stowage/cli", byTime)).event().data()).isEqualTo(byTime);
    }

    @Test
    void aNewVolumeGoesIntoTheRequestAsItsTarget_andTheRequestMatchesTheSchema() {
        RestoreRequested r = request("--cluster", "databases/pg1", "--storage", "local-s3", "--volume-claim",
                "pg1-restored", "--volume-size", "50Gi", "--storage-class", "fast-ssd");

        assertThat(r.target()).isEqualTo(RestoreTarget.volume(new VolumeTarget("pg1-restored", "fast-ssd", "50Gi")));
        assertThat(Records.read(Envelope.root("/stowage/cli", r)).invalidReason()).isNull();
        assertThat(io.stowage.cli.restore.RestoreLines.what(r))
                .contains("into a new volume, claim pg1-restored (50Gi)");
    }

    @Test
    void badInputIsAUsageErrorAndNothingIsPublished() throws IOException {
        // A closed port: a command that got as far as the broker would fail with exit code 1, not 2.
        String kafka = "127.0.0.1:" + closedPort();
        List<List<String>> cases = List.of(
                List.of("--time", "2026-12-01T10:15:00Z", "--lsn", "0/3000028"),
                List.of("--time", "2026-12-01T10:15:00"),
                List.of("--time", "yesterday"),
                List.of("--lsn", "3000028"),
                List.of("--lsn", "0/123456789"),
                List.of("--target-dir", "/srv/drill"),
                List.of("--port", "5433"),
                List.of("--target-dir", "drill", "--port", "5433"),
                List.of("--target-dir", "/srv/drill", "--port", "0"),
                List.of("--restore-id", "../x"),
                List.of("--backup", ".hidden"),
                List.of("--storage", ""),
                List.of("--wait", "--timeout", "0s"),
                List.of("--volume-claim", "pg1-restored"),
                List.of("--volume-claim", "PG1_restored", "--volume-size", "50Gi"),
                List.of("--volume-claim", "pg1-restored", "--volume-size", "fifty"),
                List.of("--volume-claim", "pg1-restored", "--volume-size", "50Gi", "--backup-after-restore"),
                List.of("--volume-claim", "pg1-restored", "--volume-size", "50Gi", "--target-dir", "/srv/drill",
                        "--port", "5433"));
        List<String> errors = new ArrayList<>();
        for (List<String> options : cases) {
            List<String> args = new ArrayList<>(List.of("restore", "--kafka", kafka, "--cluster", "pg1"));
            if (!options.contains("--storage")) {
                args.addAll(List.of("--storage", "local-fs"));
            }
            args.addAll(options);
            Cli.Result result = Cli.run(args.toArray(String[]::new));
            assertThat(result.exitCode()).as("%s: %s", options, result.err()).isEqualTo(CommandLine.ExitCode.USAGE);
            assertThat(result.err()).as("%s", options).doesNotContain("not reachable", "Exception");
            errors.add(result.err().lines().findFirst().orElse(""));
        }
        assertThat(errors).containsExactly(
                "Error: --time=TIME, --lsn=LSN are mutually exclusive (specify only one)",
                "Invalid value for option '--time': '2026-12-01T10:15:00' is not a time with an offset, e.g."
                        + " 2026-12-01T10:15:00Z or 2026-12-01T11:15:00+01:00",
                "Invalid value for option '--time': 'yesterday' is not a time with an offset, e.g."
                        + " 2026-12-01T10:15:00Z or 2026-12-01T11:15:00+01:00",
                "Invalid value for option '--lsn': '3000028' is not an LSN: two hex numbers of up to 8 digits,"
                        + " as pg_current_wal_lsn() prints them, e.g. 0/3000028",
                "Invalid value for option '--lsn': '0/123456789' is not an LSN: two hex numbers of up to 8 digits,"
                        + " as pg_current_wal_lsn() prints them, e.g. 0/3000028",
                "Error: Missing required argument(s): --port=PORT",
                "Error: Missing required argument(s): --target-dir=DIR",
                "--target-dir must be an absolute path (restore-service runs elsewhere): drill",
                "--port must be between 1 and 65535",
                "--restore-id must be letters, digits, '.', '_' or '-', starting with a letter or a digit,"
                        + " at most 128 characters",
                "--backup must be latest or a backup id: letters, digits, '.', '_' or '-', starting with a letter"
                        + " or a digit, at most 128 characters",
                "--storage must be a storage name: not empty, no spaces",
                "--timeout must be more than 0",
                "Error: Missing required argument(s): --volume-size=SIZE",
                "--volume-claim must be a Kubernetes name: lower-case letters, digits, '-' and '.'",
                "--volume-size must be a Kubernetes quantity, e.g. 50Gi: fifty",
                "--backup-after-restore cannot go with --volume-claim: nothing runs on the new volume to back up",
                "Error: (--target-dir=DIR --port=PORT) and (--volume-claim=NAME --volume-size=SIZE"
                        + " [--storage-class=NAME]) are mutually exclusive (specify only one)");
    }

    @Test
    void aClusterAndOneStorageAreRequired() {
        Cli.Result result = Cli.run("restore", "--cluster", "pg1");

        assertThat(result.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(result.err()).contains("Missing required option: '--storage=NAME'");
    }

    @Test
    void itIsListedInTheUsage() {
        assertThat(Cli.run("--help").out()).containsPattern("\\n\\s+restore\\s+Request a restore from one storage");
        assertThat(Cli.run("restore", "--help").out()).contains("--time=TIME", "--lsn=LSN", "--target-dir=DIR",
                "--port=PORT", "--backup-after-restore", "--restore-id=ID", "--wait", "--timeout=DURATION",
                "--kafka=", "--home=DIR");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
