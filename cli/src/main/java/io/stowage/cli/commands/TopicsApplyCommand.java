package io.stowage.cli.commands;

import io.stowage.bus.ContractTopics;
import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.cli.StowageVersion;
import io.stowage.cli.bus.BrokerProbe;
import io.stowage.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** {@code stowage topics apply}: creates the contract's missing topics and checks the others. */
@Command(name = "apply", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = {"Create the contract's topics that are missing; check the others.",
                "Checked: cleanup.policy (compact for the state topics stowage.topology and stowage.catalog, delete",
                "for the logs), the partition count (the same on every contract topic) and min.insync.replicas.",
                "A topic that differs is reported, never changed, and the command exits 1; nothing is deleted."})
public class TopicsApplyCommand implements Runnable {
    static final int DEFAULT_PARTITIONS = 6;

    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Mixin
    KafkaOption kafkaOption;

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions of every contract topic (default:"
            + " stowage.topology's when it exists, else " + DEFAULT_PARTITIONS + ").")
    Integer partitions;

    @Option(names = "--replication-factor", paramLabel = "N",
            description = "Replication factor of the topics created (default: 3, or the number of brokers if fewer).")
    Short replicationFactor;

    @Option(names = "--min-insync-replicas", paramLabel = "N", description = "min.insync.replicas the topics are"
            + " created with, and the least an existing one may have (default: the replication factor less one, at"
            + " least 1).")
    Integer minInsyncReplicas;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        KafkaConnection kafka = kafkaOption.connection(homeOption.home());
        BrokerProbe.require(kafka);
        ContractTopics.Report report;
        try (Admin admin = Admin.create(kafka.admin("stowage-topics-apply"))) {
            ContractTopics.Shape shape = shape(admin);
            out.printf("Contract topics on %s: %d partitions each; created with replication factor %d,"
                    + " min.insync.replicas %d%n", kafka.bootstrapServers(), shape.partitions(),
                    shape.replicationFactor(), shape.minInsyncReplicas());
            report = ContractTopics.apply(admin, shape);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(e.getMessage());
        } catch (ExecutionException e) {
            throw new CliFailure("could not create or check the topics on " + kafka.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted");
        }
        report.created().forEach(t -> out.println("  created  " + t));
        report.matching().forEach(t -> out.println("  ok       " + t));
        report.drifts().forEach(d -> out.println("  DRIFT    " + d.describe()));
        out.flush();
        if (!report.clean()) {
            throw new CliFailure(report.drifts().size() + " drift(s) from the contract; nothing was changed: fix each"
                    + " topic (kafka-configs.sh --alter, or kafka-topics.sh --alter for partitions), then run this again");
        }
    }

    private ContractTopics.Shape shape(Admin admin) throws ExecutionException, InterruptedException {
        int brokers = admin.describeCluster().nodes().get().size();
        short rf = replicationFactor != null ? replicationFactor : (short) Math.max(1, Math.min(3, brokers));
        int minInsync = minInsyncReplicas != null ? minInsyncReplicas : Math.max(1, rf - 1);
        int count = partitions != null ? partitions : topologyPartitions(admin);
        return new ContractTopics.Shape(count, rf, minInsync);
    }

    private static int topologyPartitions(Admin admin) throws ExecutionException, InterruptedException {
        if (!admin.listTopics().names().get().contains(Topics.TOPOLOGY)) {
            return DEFAULT_PARTITIONS;
        }
        Map<String, TopicDescription> topology = admin.describeTopics(List.of(Topics.TOPOLOGY)).allTopicNames().get();
        return topology.get(Topics.TOPOLOGY).partitions().size();
    }
}
