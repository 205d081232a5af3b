package io.stowage.cli.demo;

import io.stowage.bus.BusReader;
import io.stowage.cli.CliFailure;
import io.stowage.cli.bus.AppliedTopologies;
import io.stowage.cli.bus.TopologyHistory;
import io.stowage.cli.render.EventLine;
import io.stowage.cli.render.StorageListReport;
import io.stowage.cli.render.Text;
import io.stowage.cli.stack.LocalBroker;
import io.stowage.cli.stack.LocalStack;
import io.stowage.cli.stack.ServiceProcess;
import io.stowage.events.Topics;
import io.stowage.events.data.TopologyApplied;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The newcomer's tour of the storage fan-out: a demo cluster with two storages, then its main storage switched
 * by editing the YAML, and the four events config-service writes for it in one transaction.
 */
public final class DemoTour {
    static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final List<String> TOPICS = List.of(Topics.STORAGE, Topics.RESYNC, Topics.TOPOLOGY);

    private final LocalStack stack;
    private final DemoConfig config;
    private final PrintWriter out;
    private final EventLine lines = new EventLine(ZoneId.systemDefault());

    public DemoTour(LocalStack stack, PrintWriter out) {
        this.stack = stack;
        this.config = new DemoConfig(stack.home());
        this.out = out;
    }

    public void run() {
        ServiceProcess configService = stack.services().stream().filter(s -> s.name().equals("config-service"))
                .findFirst().orElseThrow();
        if (!configService.isBuilt()) {
            throw new CliFailure("the demo needs config-service, which is not built yet (" + configService.jar()
                    + "): run ./mvnw -B -q -DskipTests install");
        }
        String bootstrap = stack.isUp() ? stack.broker().address().orElse(LocalBroker.DEFAULT_ADDRESS)
                : startStack();
        out.println("The demo: cluster \"" + DemoConfig.CLUSTER + "\" with two filesystem storages; its main storage "
                + "moves from one to the other.");
        out.println();

        TopologyApplied current = Optional.ofNullable(AppliedTopologies.read(bootstrap).get(DemoConfig.CLUSTER))
                .filter(BusReader.Read::valid)
                .map(r -> r.event().data())
                .filter(TopologyApplied.class::isInstance).map(TopologyApplied.class::cast)
                .filter(config::isApplied)
                .orElseGet(() -> applyStartState(bootstrap));
        switchMain(bootstrap, current.main(), DemoConfig.other(current.main()));

        out.println();
        out.println("$ stowage storage list --cluster " + DemoConfig.CLUSTER);
        StorageListReport.lines(DemoConfig.CLUSTER, TopologyHistory.of(bootstrap, DemoConfig.CLUSTER))
                .forEach(out::println);
        out.println();
        out.println("Run `stowage demo` again to switch back; `stowage events tail --cluster demo --from-beginning`"
                + " shows the whole story.");
        out.flush();
    }

    private String startStack() {
        out.println("The local stack is not up: starting it.");
        String bootstrap = stack.up(LocalBroker.DEFAULT_PORT, out);
        out.println();
        return bootstrap;
    }

    private TopologyApplied applyStartState(String bootstrap) {
        out.println("Writing " + config.file() + ": " + DemoConfig.FIRST + " is the main, " + DemoConfig.SECOND
                + " a profile.");
        out.flush();
        DemoWatch watch = new DemoWatch();
        TopologyApplied applied;
        try (BusReader reader = new BusReader(bootstrap, TOPICS, false)) {
            config.write(DemoConfig.FIRST);
            applied = await(reader, watch, () -> watch.applied(DemoConfig.FIRST, config::isApplied),
                    "applied topology with " + DemoConfig.FIRST + " as the main");
        }
        out.println("config-service applied it (revision " + applied.revision() + "):");
        watch.storageChanges().forEach(r -> out.println("  " + lines.format(r)));
        out.println();
        return applied;
    }

    private void switchMain(String bootstrap, String from, String to) {
        out.println("Switching the main storage from " + from + " to " + to + ": `main: true` moves in "
                + config.file().getFileName() + " (written to a temp file, then renamed).");
        out.flush();
        DemoWatch watch = new DemoWatch();
        List<BusReader.Read> fanOut;
        try (BusReader reader = new BusReader(bootstrap, TOPICS, false)) {
            config.write(to);
            fanOut = await(reader, watch, () -> watch.fanOut(from, to),
                    "main-change fan-out (" + from + " -> " + to + ")");
        }
        out.println("config-service wrote the fan-out in one transaction, all with correlation id "
                + Text.shortId(DemoWatch.correlationOf(fanOut)) + ":");
        fanOut.forEach(r -> out.println("  " + lines.format(r)));
        out.println("The new main's catalog gets a resync; the old main stays as a profile and keeps its backups.");
    }

    private <T> T await(BusReader reader, DemoWatch watch, Supplier<Optional<T>> done, String what) {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            reader.poll(POLL).forEach(watch::add);
            Optional<T> result = done.get();
            if (result.isPresent()) {
                return result.get();
            }
            watch.rejection().ifPresent(r -> {
                throw new CliFailure("config-service refused " + r.source() + (r.field() == null ? "" : " at "
                        + r.field()) + ": " + r.reason());
            });
            if (Instant.now().isAfter(deadline)) {
                throw new CliFailure("no " + what + " within " + WAIT.toSeconds() + " s. Is config-service working? "
                        + "See " + stack.home().log("config-service") + " and `stowage status`.");
            }
        }
    }
}
