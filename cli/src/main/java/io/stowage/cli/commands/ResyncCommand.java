package io.stowage.cli.commands;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.cli.StowageVersion;
import io.stowage.cli.bus.AppliedTopologies;
import io.stowage.cli.bus.BrokerProbe;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.ResyncCompleted;
import io.stowage.events.data.ResyncFailed;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.ResyncScope;
import io.stowage.events.data.TopologyApplied;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code stowage resync}: rebuild the catalog of one storage, the main, or every storage from what is there. */
@Command(name = "resync", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = {"Request a resync (publishes resync.requested.v1): resync-service reads what is really on the",
                "storage (backups, manifests, objects, WAL) and writes only the differences to the catalog.",
                "With --wait: one line per storage with what it found; exit 1 if one failed or did not end in time."})
public class ResyncCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Mixin
    KafkaOption kafkaOption;

    @Option(names = "--cluster", paramLabel = "CLUSTER", required = true, description = "The cluster id.")
    String cluster;

    @Option(names = "--storage", paramLabel = "NAME", description = "One storage (default: all of them).")
    String storage;

    @Option(names = "--main", description = "Only the main storage.")
    boolean main;

    @Option(names = "--wait", description = "Wait for every storage's outcome; exit non-zero if one failed.")
    boolean waitForOutcome;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "With --wait: how long to wait, e.g. 30s (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public void run() {
        if (storage != null && main) {
            throw new CliFailure("--storage and --main exclude each other");
        }
        PrintWriter out = spec.commandLine().getOut();
        KafkaConnection kafka = kafkaOption.connection(homeOption.home());
        BrokerProbe.require(kafka);
        ResyncRequested request = storage != null ? new ResyncRequested(cluster, storage, null, "stowage resync")
                : new ResyncRequested(cluster, null, main ? ResyncScope.MAIN : ResyncScope.ALL, "stowage resync");
        Envelope<ResyncRequested> event = Envelope.root("/stowage/cli", request);
        List<String> expected = expected(kafka);
        try (BusReader reader = new BusReader(kafka, List.of(Topics.RESYNC), false);
             KafkaEventPublisher publisher = new KafkaEventPublisher(kafka, "stowage-cli")) {
            publisher.publishAndWait(event);
            out.println("resync of " + cluster + " " + (storage != null ? "storage " + storage : main ? "main storage"
                    : "(every storage)") + " requested (id " + event.id() + ")");
            out.flush();
            if (!waitForOutcome) {
                return;
            }
            follow(reader, event, expected, out);
        }
    }

    private List<String> expected(KafkaConnection kafka) {
        if (storage != null) {
            return List.of(storage);
        }
        BusReader.Read read = AppliedTopologies.read(kafka).get(cluster);
        if (read == null || !(read.event().data() instanceof TopologyApplied t)) {
            throw new CliFailure("cluster " + cluster + " is unknown: no applied topology for it on stowage.topology");
        }
        return main ? List.of(t.main()) : List.copyOf(t.spec().storages().keySet());
    }

    private void follow(BusReader reader, Envelope<?> request, List<String> expected, PrintWriter out) {
        Map<String, String> outcomes = new LinkedHashMap<>();
        boolean failed = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (outcomes.size() < expected.size()) {
            if (System.nanoTime() > deadline) {
                throw new CliFailure("no outcome within " + timeout + " for " + expected.stream()
                        .filter(s -> !outcomes.containsKey(s)).toList() + ": is resync-service running?");
            }
            for (BusReader.Read r : reader.poll(Duration.ofMillis(200))) {
                if (!r.valid() || !request.id().equals(r.event().causationId())) {
                    continue;
                }
                if (r.event().data() instanceof ResyncCompleted c) {
                    outcomes.put(c.storage(), "  " + c.storage() + ": " + c.found() + " backups (" + c.incomplete()
                            + " incomplete), " + c.added() + " added, " + c.removed() + " removed, in "
                            + c.durationMs() + " ms");
                } else if (r.event().data() instanceof ResyncFailed f) {
                    outcomes.put(f.storage(), "  " + f.storage() + ": FAILED: " + f.reason());
                    failed = true;
                }
            }
        }
        outcomes.values().forEach(out::println);
        out.flush();
        if (failed) {
            throw new CliFailure("a resync failed; the catalog keeps what it had for that storage");
        }
    }
}
