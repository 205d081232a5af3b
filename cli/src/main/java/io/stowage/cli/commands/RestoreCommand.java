package io.stowage.cli.commands;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.StowageVersion;
import io.stowage.cli.bus.BrokerProbe;
import io.stowage.cli.restore.RestoreRun;
import io.stowage.cli.restore.StepMarks;
import io.stowage.events.data.PitrTarget;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreTarget;
import io.stowage.events.data.VolumeTarget;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.regex.Pattern;

/** {@code stowage restore}: asks for a restore from one storage, and with {@code --wait} follows it to its outcome. */
@Command(name = "restore", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = {"Request a restore from one storage (publishes restore.requested.v1).",
                "In place by default, the old data directory kept; --target-dir and --port",
                "restore into a new instance instead, leaving the running primary alone.",
                "With --wait: each restore step as it goes, then what was restored where;",
                "exit 1 if it failed, was refused or did not end in time.",
                "A failed restore runs again with the same --restore-id."})
public class RestoreCommand implements Runnable {
    /** The contract's id (backupId, restoreId): it names a folder, so no '/', and no leading '.' or '-'. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern STORAGE_NAME = Pattern.compile("\\S{1,253}");

    /** A point in time to recover to: exactly one of the two. */
    static class PitrOptions {
        @Option(names = "--time", paramLabel = "TIME", required = true, converter = PitrTimeConverter.class,
                description = "Recover up to this time, ISO-8601 with an offset (2026-12-01T10:15:00Z, +01:00).")
        OffsetDateTime time;

        @Option(names = "--lsn", paramLabel = "LSN", required = true, converter = LsnConverter.class,
                description = "Recover up to this WAL location, as PostgreSQL prints it (0/3000028).")
        String lsn;
    }

    /** A new instance to restore into: both or neither. */
    static class NewInstance {
        @Option(names = "--target-dir", paramLabel = "DIR", required = true,
                description = "Restore into this new, absolute data directory (it must not exist, or be empty)...")
        String dataDirectory;

        @Option(names = "--port", paramLabel = "PORT", required = true,
                description = "...and start the restored instance on this port.")
        int port;
    }

    static class NewVolume {
        @Option(names = "--volume-claim", paramLabel = "NAME", required = true,
                description = "On Kubernetes: restore into this new PersistentVolumeClaim, in the cluster's"
                        + " namespace, by a Job restore-service makes...")
        String claimName;

        @Option(names = "--volume-size", paramLabel = "SIZE", required = true,
                description = "...of this size, e.g. 50Gi...")
        String size;

        @Option(names = "--storage-class", paramLabel = "NAME",
                description = "...and this storage class (default: the cluster's default).")
        String storageClassName;
    }

    /** Where the restore goes: in place (neither), a new instance, or a new volume. */
    static class Target {
        @ArgGroup(exclusive = false, multiplicity = "1")
        NewInstance newInstance;

        @ArgGroup(exclusive = false, multiplicity = "1")
        NewVolume newVolume;
    }

    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?");

    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Mixin
    KafkaOption kafkaOption;

    @Option(names = "--cluster", paramLabel = "CLUSTER", required = true, description = "The cluster id.")
    String cluster;

    @Option(names = "--storage", paramLabel = "NAME", required = true,
            description = "The ONE storage to restore from.")
    String storage;

    @Option(names = "--backup", paramLabel = "ID", defaultValue = "latest",
            description = "The backup to restore, or latest (default: ${DEFAULT-VALUE}: the newest complete one).")
    String backupId;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    PitrOptions pitr;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Target target;

    @Option(names = "--backup-after-restore", description = "Take a base backup once the restore completed.")
    boolean backupAfterRestore;

    @Option(names = "--restore-id", paramLabel = "ID",
            description = "The restore id, also the idempotency key: a failed restore run again with it skips"
                    + " the steps it already did (default: r- and 8 random hex digits, printed).")
    String restoreId;

    @Option(names = "--wait", description = "Follow the restore step by step; exit non-zero if it fails.")
    boolean waitForOutcome;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1h", converter = DurationConverter.class,
            description = "With --wait: how long to wait for the outcome, e.g. 30m (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public void run() {
        RestoreRequested request = request();
        PrintWriter out = spec.commandLine().getOut();
        KafkaConnection kafka = kafkaOption.connection(homeOption.home());
        BrokerProbe.require(kafka);
        RestoreRun run = new RestoreRun(kafka, request);
        if (!waitForOutcome) {
            run.publish(out);
            out.println("restore-service takes it from here: `stowage events tail --cluster " + cluster
                    + "` shows how it goes; if it fails, run the same command with --restore-id "
                    + request.restoreId() + " to try again.");
            out.flush();
            return;
        }
        run.publishAndFollow(out, StepMarks.forCharset(Charset.defaultCharset()), timeout);
        if (backupAfterRestore) {
            out.println("backup-service takes a base backup of the restored cluster next: `stowage events tail"
                    + " --cluster " + cluster + "` shows it.");
            out.flush();
        }
    }

    /** The request, or a usage error (exit code 2) before anything is published. */
    RestoreRequested request() {
        if (!STORAGE_NAME.matcher(storage).matches()) {
            throw usage("--storage must be a storage name: not empty, no spaces");
        }
        if (!"latest".equals(backupId) && !ID.matcher(backupId).matches()) {
            throw usage("--backup must be latest or a backup id: letters, digits, '.', '_' or '-', starting with a"
                    + " letter or a digit, at most 128 characters");
        }
        if (restoreId != null && !ID.matcher(restoreId).matches()) {
            throw usage("--restore-id must be letters, digits, '.', '_' or '-', starting with a letter or a digit,"
                    + " at most 128 characters");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw usage("--timeout must be more than 0");
        }
        RestoreTarget target = null;
        NewInstance newInstance = this.target == null ? null : this.target.newInstance;
        NewVolume newVolume = this.target == null ? null : this.target.newVolume;
        if (newVolume != null) {
            if (newVolume.claimName.length() > 253 || !DNS_NAME.matcher(newVolume.claimName).matches()) {
                throw usage("--volume-claim must be a Kubernetes name: lower-case letters, digits, '-' and '.'");
            }
            if (!QUANTITY.matcher(newVolume.size).matches()) {
                throw usage("--volume-size must be a Kubernetes quantity, e.g. 50Gi: " + newVolume.size);
            }
            if (newVolume.storageClassName != null && !DNS_NAME.matcher(newVolume.storageClassName).matches()) {
                throw usage("--storage-class must be a Kubernetes name");
            }
            if (backupAfterRestore) {
                throw usage("--backup-after-restore cannot go with --volume-claim: nothing runs on the new volume"
                        + " to back up");
            }
            target = RestoreTarget.volume(new VolumeTarget(newVolume.claimName, newVolume.storageClassName,
                    newVolume.size));
        }
        if (newInstance != null) {
            if (!Path.of(newInstance.dataDirectory).isAbsolute()) {
                throw usage("--target-dir must be an absolute path (restore-service runs elsewhere): "
                        + newInstance.dataDirectory);
            }
            if (newInstance.port < 1 || newInstance.port > 65535) {
                throw usage("--port must be between 1 and 65535");
            }
            target = new RestoreTarget(newInstance.dataDirectory, newInstance.port);
        }
        return new RestoreRequested(cluster, backupId, storage,
                pitr == null ? null : new PitrTarget(pitr.time, pitr.lsn), null,
                backupAfterRestore ? Boolean.TRUE : null,
                restoreId != null ? restoreId : RestoreRun.newRestoreId(), target);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
