package io.stowage.cli.commands;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.cli.CliFailure;
import io.stowage.cli.StowageVersion;
import io.stowage.cli.bus.BrokerProbe;
import io.stowage.cli.bus.CatalogRead;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupDeleteFailed;
import io.stowage.events.data.BackupDeleteRequested;
import io.stowage.events.data.BackupRemoved;
import io.stowage.events.data.CatalogBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code stowage backup delete}: remove one backup from one storage or every storage that holds it. */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = {"Delete a backup (publishes backup.delete.requested.v1): resync-service removes it, manifest",
                "first, from the storage named or from every storage whose catalog lists it, and the catalog and",
                "recoverability windows follow. Refused, with the reason, when a running restore uses it or when it",
                "is a storage's only complete backup (unless --force). Asks for confirmation unless --yes; waits",
                "for the outcome and exits 1 when it was refused or did not end in time."})
public class BackupDeleteCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Mixin
    KafkaOption kafkaOption;

    @Option(names = "--cluster", paramLabel = "CLUSTER", required = true, description = "The cluster id.")
    String cluster;

    @Option(names = "--backup", paramLabel = "ID", required = true, description = "The backup to delete.")
    String backupId;

    @Option(names = "--storage", paramLabel = "NAME", description = "Only from this storage (default: every "
            + "storage that holds it).")
    String storage;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Option(names = "--force", description = "Delete it even when it is the only complete backup of a storage.")
    boolean force;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "How long to wait for the outcome, e.g. 30s (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        KafkaConnection kafka = kafkaOption.connection(homeOption.home());
        BrokerProbe.require(kafka);
        Set<String> holding = new LinkedHashSet<>();
        for (CatalogBackup b : CatalogRead.of(kafka, cluster).backups()) {
            if (b.backupId().equals(backupId) && (storage == null || b.storage().equals(storage))) {
                holding.add(b.storage());
            }
        }
        if (holding.isEmpty()) {
            throw new CliFailure("backup " + backupId + " of " + cluster + " is not in the catalog"
                    + (storage == null ? "" : " of storage '" + storage + "'") + ": see stowage backup list --cluster "
                    + cluster);
        }
        if (!yes && !confirmed(out, holding)) {
            throw new CliFailure("not deleted: confirm with y, or add --yes");
        }
        Envelope<BackupDeleteRequested> event = Envelope.root("/stowage/cli",
                new BackupDeleteRequested(cluster, backupId, storage, force ? Boolean.TRUE : null, "stowage backup delete"));
        try (BusReader reader = new BusReader(kafka, List.of(Topics.BACKUP), false);
             KafkaEventPublisher publisher = new KafkaEventPublisher(kafka, "stowage-cli")) {
            publisher.publishAndWait(event);
            out.println("delete of backup " + backupId + " of " + cluster + " from " + String.join(", ", holding)
                    + " requested (id " + event.id() + ")");
            out.flush();
            follow(reader, event, holding, out);
        }
    }

    private boolean confirmed(PrintWriter out, Set<String> holding) {
        out.print("Delete backup " + backupId + " of " + cluster + " from " + String.join(", ", holding)
                + "? This cannot be undone. [y/N] ");
        out.flush();
        try {
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"));
        } catch (IOException e) {
            return false;
        }
    }

    private void follow(BusReader reader, Envelope<?> request, Set<String> expected, PrintWriter out) {
        Set<String> removed = new LinkedHashSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!removed.containsAll(expected)) {
            if (System.nanoTime() > deadline) {
                throw new CliFailure("no outcome within " + timeout + " for " + expected.stream()
                        .filter(s -> !removed.contains(s)).toList() + ": is resync-service running?");
            }
            for (BusReader.Read r : reader.poll(Duration.ofMillis(200))) {
                if (!r.valid() || !request.id().equals(r.event().causationId())) {
                    continue;
                }
                if (r.event().data() instanceof BackupRemoved b) {
                    removed.add(b.storage());
                    out.println("  " + b.storage() + ": removed (" + b.objects() + " objects)");
                    out.flush();
                } else if (r.event().data() instanceof BackupDeleteFailed f) {
                    throw new CliFailure("refused" + (f.storage() == null ? "" : " on " + f.storage()) + ": "
                            + f.reason());
                }
            }
        }
    }
}
