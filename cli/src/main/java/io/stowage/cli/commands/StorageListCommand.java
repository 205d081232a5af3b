package io.stowage.cli.commands;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.cli.StowageVersion;
import io.stowage.cli.bus.BrokerProbe;
import io.stowage.cli.bus.CatalogRead;
import io.stowage.cli.bus.TopologyHistory;
import io.stowage.cli.render.RecoveryWindows;
import io.stowage.cli.render.ScheduleReport;
import io.stowage.cli.render.StorageListReport;
import io.stowage.events.data.TopologyApplied;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.List;

/** {@code stowage storage list}: the main and the profiles of a cluster, as applied. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = {"List a cluster's main storage and profiles.",
                "As applied: name, role (main or profile), type, location (no secrets) and the revision since",
                "which the storage holds its role; then, from the catalog, each storage's complete backups and the",
                "earliest and latest points a restore from it can reach (its backups, the WAL chain on the mains);",
                "the schedules with their next due time, and each storage's retention."})
public class StorageListCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Mixin
    KafkaOption kafkaOption;

    @Option(names = "--cluster", paramLabel = "CLUSTER", required = true, description = "The cluster id.")
    String cluster;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        KafkaConnection kafka = kafkaOption.connection(homeOption.home());
        BrokerProbe.require(kafka);
        List<TopologyApplied> history = TopologyHistory.of(kafka, cluster);
        if (history.isEmpty()) {
            throw new CliFailure("cluster " + cluster + " is unknown: no applied topology for it on stowage.topology"
                    + " (see `stowage status` for the clusters there are)");
        }
        StorageListReport.lines(cluster, history).forEach(out::println);
        CatalogRead catalog = CatalogRead.of(kafka, cluster);
        TopologyApplied current = history.get(history.size() - 1);
        List<String> storages = new java.util.ArrayList<>();
        if (current.main() != null) {
            storages.add(current.main());
        }
        current.profiles().forEach(storages::add);
        out.println();
        ScheduleReport.lines(current.spec().schedulesOrNone(), new java.util.TreeMap<>(current.spec().storages()),
                current.main(), java.time.Instant.now(), ZoneId.systemDefault()).forEach(out::println);
        out.println();
        RecoveryWindows.lines(storages, catalog.backups(), catalog.wal(), ZoneId.systemDefault()).forEach(out::println);
        out.flush();
    }
}
