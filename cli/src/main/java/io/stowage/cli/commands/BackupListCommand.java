package io.stowage.cli.commands;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.StowageVersion;
import io.stowage.cli.bus.BrokerProbe;
import io.stowage.cli.bus.CatalogRead;
import io.stowage.cli.render.BackupListReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.ZoneId;

/** {@code stowage backup list}: a cluster's backups from the catalog. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = {"List a cluster's backups, from the catalog (stowage.catalog, kept by resync-service).",
                "One row per backup and storage: status (incomplete ones with the reason), stored size, times, WAL."})
public class BackupListCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Mixin
    KafkaOption kafkaOption;

    @Option(names = "--cluster", paramLabel = "CLUSTER", required = true, description = "The cluster id.")
    String cluster;

    @Option(names = "--storage", paramLabel = "NAME", description = "Only the backups on this storage.")
    String storage;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        KafkaConnection kafka = kafkaOption.connection(homeOption.home());
        BrokerProbe.require(kafka);
        var backups = CatalogRead.of(kafka, cluster).backups().stream()
                .filter(b -> storage == null || b.storage().equals(storage)).toList();
        BackupListReport.lines(cluster, backups, ZoneId.systemDefault()).forEach(out::println);
        out.flush();
    }
}
