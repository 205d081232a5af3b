package io.stowage.cli.commands;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.cli.StowageVersion;
import io.stowage.cli.bus.AppliedTopologies;
import io.stowage.cli.bus.BrokerProbe;
import io.stowage.cli.bus.KafkaRefusal;
import io.stowage.cli.bus.LastRejections;
import io.stowage.cli.bus.WalStatus;
import io.stowage.cli.render.StatusReport;
import io.stowage.cli.render.StatusReport.ProcessRow;
import io.stowage.cli.stack.LocalBroker;
import io.stowage.cli.stack.LocalPostgres;
import io.stowage.cli.stack.LocalS3;
import io.stowage.cli.stack.LocalStack;
import io.stowage.cli.stack.ProjectDir;
import io.stowage.cli.stack.Readiness;
import io.stowage.cli.stack.ServiceProcess;
import io.stowage.cli.stack.StowageHome;
import io.stowage.localstack.S3ProxyServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code stowage status}: the local processes, the broker, each cluster's applied topology, the last rejections. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = StowageVersion.class,
        description = {"Show processes, applied topologies and the last rejections.",
                "The local processes, whether Kafka is reachable, each cluster's applied topology (main and",
                "profiles with their locations) and the newest config and event rejections.",
                "Works when the stack is down."})
public class StatusCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption homeOption;

    @Mixin
    KafkaOption kafkaOption;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        StowageHome home = homeOption.home();
        LocalStack stack = new LocalStack(home, ProjectDir.fromDefault());
        KafkaConnection kafka = kafkaOption.connection(home);
        boolean reachable = BrokerProbe.reachable(kafka);
        StatusReport.BusState bus = reachable ? readBus(kafka) : null;
        StatusReport.lines(home.root().toString(), processes(stack), kafka, reachable, bus, ZoneId.systemDefault())
                .forEach(out::println);
        out.flush();
    }

    private static StatusReport.BusState readBus(KafkaConnection kafka) {
        try {
            return new StatusReport.BusState(AppliedTopologies.read(kafka), LastRejections.read(kafka),
                    WalStatus.read(kafka), null);
        } catch (CliFailure e) {
            return new StatusReport.BusState(null, null, null, e.getMessage());
        } catch (RuntimeException e) {
            // Refused credentials or missing ACLs: the processes are still worth showing, with the reason.
            return new StatusReport.BusState(null, null, null, KafkaRefusal.explain(e).orElseThrow(() -> e));
        }
    }

    static List<ProcessRow> processes(LocalStack stack) {
        List<ProcessRow> rows = new ArrayList<>();
        LocalBroker broker = stack.broker();
        boolean brokerRuns = broker.isRunning();
        rows.add(new ProcessRow("kafka", brokerRuns ? "running" : "stopped",
                brokerRuns ? Long.toString(broker.pid().orElse(-1)) : "-",
                broker.address().orElse(LocalBroker.DEFAULT_ADDRESS)));
        LocalS3 s3 = stack.s3();
        if (!s3.isBuilt()) {
            rows.add(new ProcessRow("s3 (S3Proxy)", "not built", "-", "http://127.0.0.1:" + LocalS3.DEFAULT_PORT));
        } else {
            Optional<S3ProxyServer> server = s3.running();
            rows.add(new ProcessRow("s3 (S3Proxy)", server.isPresent() ? "running" : "stopped",
                    server.map(p -> Long.toString(p.pid())).orElse("-"), s3.endpointOrDefault().toString()));
        }
        LocalPostgres postgres = stack.demoPostgres();
        if (postgres.exists()) {
            Optional<LocalPostgres.Running> running = postgres.running();
            rows.add(new ProcessRow("postgres (demo)", running.isPresent() ? "running" : "stopped",
                    running.map(r -> Long.toString(r.pid())).orElse("-"), LocalPostgres.HOST + ":"
                    + running.map(LocalPostgres.Running::port).orElseGet(() -> postgres.settings().orElseThrow().port())));
        }
        for (ServiceProcess service : stack.services()) {
            String address = "http://127.0.0.1:" + service.httpPort();
            if (!service.isBuilt()) {
                rows.add(new ProcessRow(service.name(), "not built", "-", address));
                continue;
            }
            Optional<ProcessHandle> process = service.running();
            String state = process.isEmpty() ? "stopped"
                    : Readiness.isReady(service.httpPort()) ? "ready" : "running (not ready)";
            rows.add(new ProcessRow(service.name(), state, process.map(p -> Long.toString(p.pid())).orElse("-"), address));
        }
        return rows;
    }
}
