package io.stowage.cli.commands;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.cli.StowageVersion;
import io.stowage.cli.backup.BackupRun;
import io.stowage.cli.bus.BrokerProbe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** {@code stowage backup create}: asks for a base backup, and with {@code --wait} follows it to its outcome. */
@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = {"Request a base backup of a cluster (publishes backup.requested.v1).",
                "One read of the database, written to every named storage; without --storage, to the main.",
                "With --wait: a progress bar, then the outcome; exit 1 if the backup failed or did not end in time.",
                "Without it, `stowage events tail --cluster CLUSTER` shows how it goes."})
public class BackupCreateCommand implements Runnable {
    /** The contract's backup id: it names a folder, so no '/', and no leading '.' or '-'. */
    private static final Pattern BACKUP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Mixin
    KafkaOption kafkaOption;

    @Option(names = "--cluster", paramLabel = "CLUSTER", required = true, description = "The cluster id.")
    String cluster;

    @Option(names = "--storage", paramLabel = "NAME", split = ",",
            description = "Storages to write to, comma-separated (default: the main storage).")
    List<String> storages;

    @Option(names = "--backup-id", paramLabel = "ID",
            description = {"The backup id, also the idempotency key: asking again for a backup that is complete",
                    "changes nothing (default: the UTC time and a random suffix, e.g. 20261122T031500Z-1a2b)."})
    String backupId;

    @Option(names = "--wait", description = "Follow the backup with a progress bar; exit non-zero if it fails.")
    boolean waitForOutcome;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "6h", converter = DurationConverter.class,
            description = "With --wait: how long to wait for the outcome, e.g. 30m (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public void run() {
        if (backupId != null && !BACKUP_ID.matcher(backupId).matches()) {
            // backup-service would refuse it too, but only --wait would show that.
            throw new CliFailure("--backup-id must be letters, digits, '.', '_' or '-', starting with a letter or"
                    + " a digit, at most 128 characters (it names a folder on every storage)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new CliFailure("--timeout must be more than 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        KafkaConnection kafka = kafkaOption.connection(homeOption.home());
        BrokerProbe.require(kafka);
        BackupRun run = new BackupRun(kafka, cluster, storages, backupId);
        if (!waitForOutcome) {
            run.publish(out);
            out.println("backup-service takes it from here: `stowage events tail --cluster " + cluster
                    + "` shows how it goes.");
            out.flush();
            return;
        }
        // Redrawn in place on a terminal only; a pipe or a log gets one line per progress event.
        run.publishAndFollow(out, System.console() != null, new BackupRun.Limits(timeout, null));
    }
}
