package io.stowage.cli.stack;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.events.Topics;
import io.stowage.localstack.BrokerSecurity;
import io.stowage.localstack.BrokerUser;
import io.stowage.localstack.S3ProxyServer;
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

/**
 * The local stack (a Kafka broker, the S3 server and every built service, each a detached process; the demo's
 * PostgreSQL once the demo made it): starting and stopping it.
 */
public final class LocalStack {
    /** Partitions of every contract topic, as in the tests: more than one, so per-key ordering is exercised. */
    public static final int PARTITIONS = 3;
    /** The name of the demo's PostgreSQL cluster: {@code .stowage/postgres/demo}. */
    public static final String DEMO_POSTGRES = "demo";
    /** The demo's restore drill restores into this one, and removes it when done. */
    public static final String DEMO_DRILL_POSTGRES = "demo-drill";
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final int LOG_TAIL_LINES = 25;

    private final StowageHome home;
    private final LocalBroker broker;
    private final LocalS3 s3;
    private final LocalPostgres demoPostgres;
    private final List<ServiceProcess> services;

    public LocalStack(StowageHome home, Path projectDir) {
        this.home = home;
        this.broker = new LocalBroker(home);
        this.s3 = new LocalS3(home, projectDir);
        this.demoPostgres = new LocalPostgres(home, DEMO_POSTGRES);
        this.services = LocalService.ALL.stream().map(s -> new ServiceProcess(s, home, projectDir)).toList();
    }

    public StowageHome home() {
        return home;
    }

    public LocalBroker broker() {
        return broker;
    }

    public LocalS3 s3() {
        return s3;
    }

    /** The demo's PostgreSQL: made by {@code stowage demo}, stopped by {@code down}. */
    public LocalPostgres demoPostgres() {
        return demoPostgres;
    }

    public List<ServiceProcess> services() {
        return services;
    }

    public List<ServiceProcess> builtServices() {
        return services.stream().filter(ServiceProcess::isBuilt).toList();
    }

    /** Up means: the broker runs, and so do the S3 server and every service, if built. */
    public boolean isUp() {
        return broker.isRunning() && (!s3.isBuilt() || s3.isRunning())
                && builtServices().stream().allMatch(s -> s.running().isPresent());
    }

    /**
     * Starts what is not running yet (broker, topics, S3 server, built services) and waits until every service
     * is ready. Running it again starts nothing twice. The broker keeps the shape it was made in, else PLAINTEXT.
     *
     * @return how clients reach the broker: its address, and its client properties if it has any
     */
    public KafkaConnection up(int kafkaPort, int s3Port, PrintWriter out) {
        return up(kafkaPort, s3Port, Optional.empty(), out);
    }

    /**
     * As {@link #up(int, int, PrintWriter)}, with the broker in the shape asked for (empty: the one it was made in,
     * else PLAINTEXT). A broker made in another shape is a failure that says how to go on, and nothing starts.
     * Under a secured shape the topics are set up as the admin user, and the services connect as the service user.
     */
    public KafkaConnection up(int kafkaPort, int s3Port, Optional<BrokerSecurity> shape, PrintWriter out) {
        BrokerSecurity security = shapeFor(shape);
        home.ensureLayout();
        KafkaConnection kafka = broker.connection(startBroker(kafkaPort, security, out));
        Set<String> created = new TreeSet<>(security.isSecure()
                ? TopicSetup.ensureTopics(broker.adminProperties(), PARTITIONS)
                : TopicSetup.ensureTopics(kafka.bootstrapServers(), PARTITIONS));
        out.println(created.isEmpty() ? "Topics: all " + Topics.ALL.size() + " present"
                : "Topics: created " + String.join(", ", created));
        linkBrokerLog();
        startS3(s3Port, out);

        Map<ServiceProcess, ProcessHandle> starting = new LinkedHashMap<>();
        for (ServiceProcess service : services) {
            startService(service, kafka, out).ifPresent(process -> starting.put(service, process));
        }
        out.flush();
        awaitReady(starting, out);
        return kafka;
    }

    /** The shape to start the broker in: the one asked for, if the broker was not made in another. */
    private BrokerSecurity shapeFor(Optional<BrokerSecurity> asked) {
        Optional<BrokerSecurity> made = broker.shape();
        BrokerSecurity wanted = asked.orElse(made.orElse(BrokerSecurity.PLAINTEXT));
        if (made.isPresent() && made.get() != wanted) {
            boolean running = broker.isRunning();
            throw new CliFailure("the local Kafka broker " + (running ? "runs " : "was made ") + made.get()
                    + " (by `" + upCommand(made.get()) + "`) and cannot be " + wanted + ": a broker keeps the shape"
                    + " it was made in. Run `" + upCommand(made.get()) + "`"
                    + (running ? " to start the rest of the stack" : "") + ", or "
                    + (running ? "`stowage down`, then " : "") + "remove " + home.kafka() + " (its topics and"
                    + " records go with it) and run `" + upCommand(wanted) + "` again");
        }
        return wanted;
    }

    /** The command that makes a broker of that shape. */
    public static String upCommand(BrokerSecurity shape) {
        return switch (shape) {
            case PLAINTEXT -> "stowage up";
            case SASL_SSL -> "stowage up --secure";
            case MTLS -> "stowage up --secure=mtls";
        };
    }

    /**
     * Stops every service (SIGTERM, SIGKILL after 15 s), the demo's PostgreSQL (pg_ctl stop -m fast), the S3
     * server (SIGTERM, SIGKILL after 30 s), then the broker. Only processes that are ours.
     */
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
        out.flush();
        List<String> failures = new ArrayList<>();
        boolean postgresStopped = stopPostgres(demoPostgres, "demo", out, failures);
        // A restore drill the demo did not finish (it removes its copy when it does).
        postgresStopped |= stopPostgres(new LocalPostgres(home, DEMO_DRILL_POSTGRES), "demo's restore drill", out,
                failures);
        Optional<Long> s3Pid = s3.running().map(server -> server.pid());
        boolean s3Stopped = s3.stop();
        if (s3Stopped) {
            out.println("S3 server: stopped (pid " + s3Pid.map(String::valueOf).orElse("?") + ")");
        }
        boolean brokerStopped = broker.stop();
        if (brokerStopped) {
            out.println("Kafka broker: stopped");
        }
        if (!brokerStopped && !s3Stopped && !postgresStopped && stopping.isEmpty() && failures.isEmpty()) {
            out.println("Nothing was running.");
        }
        out.flush();
        if (!failures.isEmpty()) {
            throw new CliFailure(String.join("; ", failures));
        }
    }

    private String startBroker(int port, BrokerSecurity security, PrintWriter out) {
        if (broker.isRunning()) {
            String address = broker.address().orElse(LocalBroker.DEFAULT_ADDRESS);
            out.println("Kafka broker: already running at " + address + " (pid " + broker.pid().orElse(-1)
                    + (address.endsWith(":" + port) ? ")" : "; --kafka-port " + port + " applies after a down)"));
            printShape(security, out);
            return address;
        }
        out.println("Kafka broker: starting on 127.0.0.1:" + port + (security.isSecure() ? ", " + security : "")
                + "...");
        out.flush();
        try {
            String address = broker.start(port, security);
            out.println("Kafka broker: ready at " + address + " (pid " + broker.pid().orElse(-1) + ")");
            printShape(security, out);
            return address;
        } catch (IllegalStateException e) {
            throw new CliFailure("the Kafka broker did not start: " + e.getMessage(), e);
        }
    }

    private void printShape(BrokerSecurity security, PrintWriter out) {
        if (!security.isSecure()) {
            return;
        }
        out.println("Kafka broker: " + security + (security == BrokerSecurity.SASL_SSL
                ? " (SCRAM-SHA-512 logins over TLS" : " (TLS with client certificates") + ", ACLs on); topics are set"
                + " up as " + BrokerUser.ADMIN.userName() + ", the services and stowage commands connect as "
                + BrokerUser.SERVICE.userName() + broker.clientProperties().map(file -> " (" + file + ")").orElse(""));
    }

    private void startS3(int port, PrintWriter out) {
        if (!s3.isBuilt()) {
            out.println("S3 server: not built yet, skipped (" + s3.jar() + ")");
            return;
        }
        Optional<S3ProxyServer> running = s3.running();
        S3ProxyServer server;
        if (running.isPresent()) {
            server = running.get();
            out.println("S3 server: already running at " + server.endpoint() + " (pid " + server.pid()
                    + (server.endpoint().getPort() == port ? ")" : "; --s3-port " + port + " applies after a down)"));
        } else {
            out.println("S3 server: starting on 127.0.0.1:" + port + "...");
            out.flush();
            try {
                server = s3.start(port);
            } catch (IllegalStateException e) {
                throw new CliFailure("the S3 server did not start: " + e.getMessage(), e);
            }
            out.println("S3 server: ready at " + server.endpoint() + " (pid " + server.pid() + ", log "
                    + server.workDir().resolve("s3proxy.log") + ")");
        }
        s3.provision(server);
        out.println("S3 server: bucket " + LocalS3.BUCKET + ", key pair in the secret " + LocalS3.SECRET + " ("
                + s3.secretFolder() + ")");
        out.flush();
    }

    private static boolean stopPostgres(LocalPostgres pg, String what, PrintWriter out, List<String> failures) {
        Optional<LocalPostgres.Running> running = pg.running();
        if (running.isEmpty()) {
            return false;
        }
        try {
            pg.stop();
            out.println("PostgreSQL (" + what + "): stopped (pid " + running.get().pid() + ", pg_ctl stop -m fast)");
            return true;
        } catch (RuntimeException e) {
            // The rest still stops; the exit code says that this did not.
            failures.add("PostgreSQL (" + what + ", pid " + running.get().pid() + ") did not stop: " + e.getMessage());
            return false;
        }
    }

    private Optional<ProcessHandle> startService(ServiceProcess service, KafkaConnection kafka, PrintWriter out) {
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
        ProcessHandle process = service.start(kafka);
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
