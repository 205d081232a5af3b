package io.stowage.cli.commands;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.cli.CliFailure;
import io.stowage.cli.StowageVersion;
import io.stowage.cli.bus.BrokerProbe;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupRemoved;
import io.stowage.events.data.RetentionCompleted;
import io.stowage.events.data.RetentionFailed;
import io.stowage.events.data.RetentionRequested;
import io.stowage.events.data.WalRemoved;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/** {@code stowage retention apply}: apply a cluster's retention now. */
@Command(name = "retention", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = "Retention: each storage's keep and maxAge.", subcommands = RetentionCommand.Apply.class)
public class RetentionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "apply", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
            description = {"Apply a cluster's retention now (publishes retention.requested.v1); resync-service applies",
                    "it after each completed backup anyway. With --wait: a line per backup and WAL range removed,",
                    "then the counts; exit 1 if it failed or did not end in time."})
    public static class Apply implements Runnable {
        @Spec
        CommandSpec spec;

        @Mixin
        HomeOption homeOption;

        @Mixin
        KafkaOption kafkaOption;

        @Option(names = "--cluster", paramLabel = "CLUSTER", required = true, description = "The cluster id.")
        String cluster;

        @Option(names = "--wait", description = "Wait for the outcome; exit non-zero if it failed.")
        boolean waitForOutcome;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
                description = "With --wait: how long to wait, e.g. 30s (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            KafkaConnection kafka = kafkaOption.connection(homeOption.home());
            BrokerProbe.require(kafka);
            Envelope<RetentionRequested> event = Envelope.root("/stowage/cli",
                    new RetentionRequested(cluster, "stowage retention apply"));
            try (BusReader reader = new BusReader(kafka, List.of(Topics.RESYNC, Topics.BACKUP), false);
                 KafkaEventPublisher publisher = new KafkaEventPublisher(kafka, "stowage-cli")) {
                publisher.publishAndWait(event);
                out.println("retention of " + cluster + " requested (id " + event.id() + ")");
                out.flush();
                if (waitForOutcome) {
                    follow(reader, event, out);
                }
            }
        }

        private void follow(BusReader reader, Envelope<?> request, PrintWriter out) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (BusReader.Read r : reader.poll(Duration.ofMillis(200))) {
                    if (!r.valid() || !request.id().equals(r.event().causationId())) {
                        continue;
                    }
                    Object data = r.event().data();
                    if (data instanceof BackupRemoved b) {
                        out.println("  backup " + b.backupId() + " removed from " + b.storage() + ": " + b.reason());
                    } else if (data instanceof WalRemoved w) {
                        out.println("  WAL " + w.first() + ".." + w.last() + " (" + w.segments() + " segments) removed"
                                + " from " + w.storage());
                    } else if (data instanceof RetentionCompleted c) {
                        out.println("done: " + c.backupsRemoved() + " backups and " + c.segmentsRemoved()
                                + " WAL segments removed, " + c.heldForRestores() + " held for running restores, in "
                                + c.durationMs() + " ms");
                        out.flush();
                        return;
                    } else if (data instanceof RetentionFailed f) {
                        out.flush();
                        throw new CliFailure("retention failed: " + f.reason());
                    }
                    out.flush();
                }
            }
            throw new CliFailure("no outcome within " + timeout + ": is resync-service running?");
        }
    }
}
