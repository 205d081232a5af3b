package io.stowage.cli.stack;

import io.stowage.cli.CliFailure;
import io.stowage.events.Topics;
import io.stowage.localstack.TopicSetup;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The local stack (a Kafka broker and every built service, each a detached process): starting and stopping it. */
public final class LocalStack {
    /** Partitions of every contract topic, as in the tests: more than one, so per-key ordering is exercised. */
    public static final int PARTITIONS = 3;
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final int LOG_TAIL_LINES = 25;

    private final StowageHome home;
    private final LocalBroker broker;
    private final List<ServiceProcess> services;

    public LocalStack(StowageHome home, Path projectDir) {
        this.home = home;
        this.broker = new LocalBroker(home);
        this.services = LocalService.ALL.stream().map(s -> new ServiceProcess(s, home, projectDir)).toList();
    }

    public StowageHome home() {
        return home;
    }

    public LocalBroker broker() {
        return broker;
    }

    public List<ServiceProcess> services() {
        return services;
    }

    public List<ServiceProcess> builtServices() {
        return services.stream().filter(ServiceProcess::isBuilt).toList();
    }

    /** Up means: the broker runs, and so does every service that is built. */
    public boolean isUp() {
        return broker.isRunning() && builtServices().stream().allMatch(s -> s.running().isPresent());
    }

    /**
     * Starts what is not running yet (broker, topics, built services) and waits until every service is ready.
     * Running it again starts nothing twice.
     *
     * @return the broker's address
     */
    public String up(int kafkaPort, PrintWriter out) {
        home.ensureLayout();
        String bootstrap = startBroker(kafkaPort, out);
        Set<String> created = new TreeSet<>(TopicSetup.ensureTopics(bootstrap, PARTITIONS));
        out.println(created.isEmpty() ? "Topics: all " + Topics.ALL.size() + " present"
                : "Topics: created " + String.join(", ", created));
        linkBrokerLog();

        Map<ServiceProcess, ProcessHandle> starting = new LinkedHashMap<>();
        for (ServiceProcess service : services) {
            startService(service, bootstrap, out).ifPresent(process -> starting.put(service, process));
        }
        out.flush();
        awaitReady(starting, out);
        return bootstrap;
    }

    /** Stops every service (SIGTERM, SIGKILL after 15 s), then the broker. Only processes that are ours. */
    public void down(PrintWriter out) {
        Map<ServiceProcess, ProcessHandle> stopping = new LinkedHashMap<>();
        for (ServiceProcess service : services) {
            Optional<ProcessHandle> process = service.running();
            if (process.isPresent()) {
                process.get().destroy(); // SIGTERM: Quarkus shuts down gracefully, closing its Kafka clients
                stopping.put(service, process.get());
            } else if (service.hasStalePidFile()) {
                service.forgetPid();
                out.println(service.name() + ": not running (stale pid file removed, no process killed)");
            }
        }
        Instant deadline = Instant.now().plus(STOP_GRACE);
        stopping.forEach((service, process) -> {
            boolean graceful = ProcessExit.await(process, deadline);
            if (!graceful) {
                process.destroyForcibly();
                ProcessExit.await(process, Instant.now().plus(Duration.ofSeconds(5)));
            }
            service.forgetPid();
            out.println(service.name() + ": stopped (pid " + process.pid() + (graceful ? ")" : ", killed after "
                    + STOP_GRACE.toSeconds() + " s)"));
        });
        boolean brokerStopped = broker.stop();
        if (brokerStopped) {
            out.println("Kafka broker: stopped");
        }
        if (!brokerStopped && stopping.isEmpty()) {
            out.println("Nothing was running.");
        }
        out.flush();
    }

    private String startBroker(int port, PrintWriter out) {
        if (broker.isRunning()) {
            String address = broker.address().orElse(LocalBroker.DEFAULT_ADDRESS);
            out.println("Kafka broker: already running at " + address + " (pid " + broker.pid().orElse(-1)
                    + (address.endsWith(":" + port) ? ")" : "; --kafka-port " + port + " applies after a down)"));
            return address;
        }
        out.println("Kafka broker: starting on 127.0.0.1:" + port + "...");
        out.flush();
        try {
            String address = broker.start(port);
            out.println("Kafka broker: ready at " + address + " (pid " + broker.pid().orElse(-1) + ")");
            return address;
        } catch (IllegalStateException e) {
            throw new CliFailure("the Kafka broker did not start: " + e.getMessage(), e);
        }
    }

    private Optional<ProcessHandle> startService(ServiceProcess service, String bootstrap, PrintWriter out) {
        if (!service.isBuilt()) {
            out.println(service.name() + ": not built yet, skipped (" + service.jar() + ")");
            return Optional.empty();
        }
        Optional<ProcessHandle> running = service.running();
        if (running.isPresent()) {
            out.println(service.name() + ": already running (pid " + running.get().pid() + ")");
            return running;
        }
        if (!isFree(service.httpPort())) {
            // Otherwise the readiness check could be answered by whatever already listens there.
            throw new CliFailure(service.name() + " cannot start: port " + service.httpPort()
                    + " is in use by another process");
        }
        ProcessHandle process = service.start(bootstrap);
        out.println(service.name() + ": starting (pid " + process.pid() + ", log " + service.log() + ")");
        return Optional.of(process);
    }

    private void awaitReady(Map<ServiceProcess, ProcessHandle> starting, PrintWriter out) {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        List<String> failures = new ArrayList<>();
        starting.forEach((service, process) -> {
            Readiness.Outcome outcome = Readiness.await(process, service.httpPort(), deadline);
            switch (outcome) {
                case READY -> out.println(service.name() + ": ready at http://127.0.0.1:" + service.httpPort());
                case EXITED -> {
                    service.forgetPid();
                    failures.add(service.name() + " exited during start-up");
                    printLogTail(service, out);
                }
                case TIMED_OUT -> {
                    failures.add(service.name() + " is not ready after " + READY_TIMEOUT.toSeconds() + " s (still "
                            + "running as pid " + process.pid() + "; `stowage down` stops it)");
                    printLogTail(service, out);
                }
            }
            out.flush();
        });
        if (!failures.isEmpty()) {
            throw new CliFailure(String.join("; ", failures));
        }
    }

    private static void printLogTail(ServiceProcess service, PrintWriter out) {
        out.println("Last lines of " + service.log() + ":");
        LogTail.last(service.log(), LOG_TAIL_LINES).forEach(line -> out.println("  | " + line));
    }

    /** logs/kafka.log points at the broker's own log, so that every log is in one folder. */
    private void linkBrokerLog() {
        Path link = home.log("kafka");
        try {
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, link.getParent().relativize(broker.log()));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // A convenience only: the broker's log is still in kafka/broker.log.
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
