package io.stowage.cli.commands;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.cli.StowageVersion;
import io.stowage.cli.bus.BrokerProbe;
import io.stowage.cli.bus.EventFilter;
import io.stowage.cli.bus.EventTail;
import io.stowage.cli.render.EventLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneId;

/** {@code stowage events tail}: one line per event, following the bus. */
@Command(name = "tail", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = {"Print the bus, one line per event.",
                "Local time, type, cluster, what happened, correlation id. Invalid records are printed too,",
                "marked INVALID with the reason. Committed records only. Follows new events until Ctrl-C,",
                "unless --limit or --timeout is given."})
public class EventsTailCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Mixin
    KafkaOption kafkaOption;

    @Option(names = "--from-beginning", description = "Start with the oldest event kept, not with the next one.")
    boolean fromBeginning;

    @Option(names = "--cluster", paramLabel = "CLUSTER", description = "Only this cluster's events.")
    String cluster;

    @Option(names = "--type", paramLabel = "TEXT",
            description = "Only types containing TEXT, e.g. rejected or resync; invalid shows bad records.")
    String type;

    @Option(names = "--limit", paramLabel = "N", description = "Stop after N events.")
    Integer limit;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long, e.g. 30s, 5m. With --limit: exit 1 if fewer than N came.")
    Duration timeout;

    @Option(names = "--with-state",
            description = "Also show the applied topologies (the compacted stowage.topology topic).")
    boolean withState;

    @Override
    public void run() {
        if (limit != null && limit < 1) {
            throw new CliFailure("--limit must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        KafkaConnection kafka = kafkaOption.connection(homeOption.home());
        BrokerProbe.require(kafka);
        EventLine lines = new EventLine(ZoneId.systemDefault());
        int shown = EventTail.follow(kafka,
                new EventTail.Options(fromBeginning, withState, new EventFilter(cluster, type), limit, timeout),
                read -> {
                    out.println(lines.format(read));
                    out.flush();
                });
        if (limit != null && shown < limit) {
            // Scripts wait for N events with a timeout: fewer is a failure they must see.
            throw new CliFailure("only " + shown + " of " + limit + " events within " + timeout);
        }
    }
}
