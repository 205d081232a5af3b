package io.stowage.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jboss.logging.Logger;

/** A real Apache Kafka broker (KRaft, broker and controller in one process) run as a subprocess from a work directory. */
public final class KafkaBroker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaBroker.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final BrokerWorkDir dir;
    private final int port;
    private final ProcessHandle process;
    private final Thread shutdownHook; // null when detached: nothing here may stop it
    private String clusterId;
    private boolean closed;

    private KafkaBroker(BrokerWorkDir dir, int port, ProcessHandle process, boolean detached) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.shutdownHook = detached ? null : new Thread(this::close, "stop-kafka-broker-" + port);
    }

    /**
     * Starts a broker that this JVM owns: {@link #close()} stops it, and so does JVM exit.
     * Port 0 picks a free port. Blocks until the broker answers, at most 60 s.
     */
    public static KafkaBroker start(Path workDir, int port) {
        return launch(new BrokerWorkDir(workDir), port, false);
    }

    /**
     * Starts a broker that outlives this JVM and the terminal's Ctrl-C (for {@code stowage up}).
     * Stop it with {@link #stop(Path)}; {@link #close()} leaves it running.
     */
    public static KafkaBroker startDetached(Path workDir, int port) {
        return launch(new BrokerWorkDir(workDir), port, true);
    }

    /** Whether the broker recorded in the work directory's pid file is alive. */
    public static boolean isRunning(Path workDir) {
        try {
            return new BrokerWorkDir(workDir).runningBroker().isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the broker recorded in the pid file (SIGTERM, then SIGKILL after 30 s); false if none was running. */
    public static boolean stop(Path workDir) {
        BrokerWorkDir dir = new BrokerWorkDir(workDir);
        try {
            Optional<ProcessHandle> running = dir.runningBroker();
            running.ifPresent(BrokerProcess::terminate);
            dir.deletePid();
            return running.isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The address clients connect to, e.g. {@code 127.0.0.1:40123}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Path workDir() {
        return dir.root();
    }

    /** The cluster id the running broker reported; it stays the same across restarts on one work directory. */
    public String clusterId() {
        return clusterId;
    }

    /** Stops an owned broker and waits for it to exit; a detached broker is left running. */
    @Override
    public synchronized void close() {
        if (closed || shutdownHook == null) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // Called from the hook itself: nothing to remove.
        }
        BrokerProcess.terminate(process);
        dir.deletePid();
        LOG.infof("Kafka broker %s stopped (pid %d)", bootstrapServers(), process.pid());
    }

    private static KafkaBroker launch(BrokerWorkDir dir, int requestedPort, boolean detached) {
        try {
            Files.createDirectories(dir.data());
            Optional<ProcessHandle> running = dir.runningBroker();
            if (running.isPresent()) {
                // Two brokers on one data directory: the second would die on the directory lock.
                throw new IllegalStateException("A Kafka broker already runs from " + dir.root()
                        + " (pid " + running.get().pid() + "); stop it first");
            }
            Path libs = KafkaLibs.locate();
            int[] ports = LocalPorts.free(HOST, 2);
            int port = requestedPort == 0 ? ports[0] : requestedPort;
            if (requestedPort != 0 && !LocalPorts.isFree(HOST, port)) {
                // Otherwise the readiness check could be answered by whatever already listens there.
                throw new IllegalStateException("Port " + port + " is already in use; cannot start a Kafka broker on it");
            }
            ServerProperties.write(dir.serverProperties(), dir.data(), port, ports[1]);
            long started = System.nanoTime();
            boolean formatted = BrokerProcess.formatIfNeeded(dir, libs);

            KafkaBroker broker = new KafkaBroker(dir, port, BrokerProcess.spawn(dir, libs, detached), detached);
            if (!detached) {
                Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
            }
            try {
                dir.writePid(broker.pid());
            } catch (IOException e) {
                broker.abandon(); // an unrecorded detached broker could never be stopped
                throw e;
            }
            broker.awaitReady();
            LOG.infof("Kafka broker ready at %s in %d ms%s (pid %d, cluster %s, %s, work dir %s)",
                    broker.bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    formatted ? " including formatting its storage" : "",
                    broker.pid(), broker.clusterId, detached ? "detached" : "owned", dir.root());
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a Kafka broker in " + dir.root(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting a Kafka broker in " + dir.root(), e);
        }
    }

    /** Waits until the broker serves Admin requests, which is when clients can use it. */
    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            // An Admin client connects as soon as it exists: created before the port
            // listens, it only fills the caller's log with connection warnings.
            whileAlive(deadline, () -> LocalPorts.accepts(HOST, port) ? Optional.of(true) : Optional.empty());
            try (Admin admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000))) {
                clusterId = whileAlive(deadline, () -> {
                    try {
                        return Optional.of(admin.describeCluster().clusterId().get());
                    } catch (ExecutionException notYet) {
                        return Optional.empty();
                    }
                });
            }
        } catch (InterruptedException | RuntimeException e) {
            abandon();
            throw e;
        }
    }

    private <T> T whileAlive(long deadline, Poll.Attempt<T> attempt) throws InterruptedException {
        return Poll.until(Duration.ofNanos(deadline - System.nanoTime()), () -> {
            if (!process.isAlive()) {
                throw dir.startFailure("the broker process exited during start-up");
            }
            return attempt.run();
        }).orElseThrow(() -> dir.startFailure(
                "it did not answer on " + bootstrapServers() + " within " + START_TIMEOUT.toSeconds() + " s"));
    }

    // A broker that failed to start must not linger, detached or not.
    private void abandon() {
        if (shutdownHook != null) {
            close();
        } else {
            BrokerProcess.terminate(process);
            dir.deletePid();
        }
    }
}
