package io.stowage.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jboss.logging.Logger;

/**
 * A real Apache Kafka broker (KRaft, broker and controller in one process) run as a subprocess from a work directory,
 * in one of the {@link BrokerSecurity} shapes; {@link #clientProperties(BrokerUser)} tells clients how to connect.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaBroker.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final BrokerWorkDir dir;
    private final int port;
    private final ListenerSecurity security;
    private final ProcessHandle process;
    private final Thread shutdownHook; // null when detached: nothing here may stop it
    private String clusterId;
    private boolean closed;

    private KafkaBroker(BrokerWorkDir dir, int port, ListenerSecurity security, ProcessHandle process, boolean detached) {
        this.dir = dir;
        this.port = port;
        this.security = security;
        this.process = process;
        this.shutdownHook = detached ? null : new Thread(this::close, "stop-kafka-broker-" + port);
    }

    /**
     * Starts a broker that this JVM owns: {@link #close()} stops it, and so does JVM exit.
     * Port 0 picks a free port. Blocks until the broker answers, at most 60 s.
     */
    public static KafkaBroker start(Path workDir, int port) {
        return start(workDir, port, BrokerSecurity.PLAINTEXT);
    }

    /**
     * As {@link #start(Path, int)}, in the given shape. A work directory keeps the shape of its first start (its
     * storage holds the SCRAM users), its certificates and its passwords; starting it in another shape fails.
     */
    public static KafkaBroker start(Path workDir, int port, BrokerSecurity security) {
        return launch(new BrokerWorkDir(workDir), port, security, false);
    }

    /**
     * Starts a broker that outlives this JVM and the terminal's Ctrl-C (for {@code stowage up}).
     * Stop it with {@link #stop(Path)}; {@link #close()} leaves it running.
     */
    public static KafkaBroker startDetached(Path workDir, int port) {
        return startDetached(workDir, port, BrokerSecurity.PLAINTEXT);
    }

    /**
     * As {@link #startDetached(Path, int)}, in the given shape; a later process finds how to connect in
     * {@link #clientPropertiesFile(Path, BrokerUser)}.
     */
    public static KafkaBroker startDetached(Path workDir, int port, BrokerSecurity security) {
        return launch(new BrokerWorkDir(workDir), port, security, true);
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

    /**
     * The shape the broker in {@code workDir} was made in, if one was ever started there: it keeps that shape, and
     * a start in another fails.
     */
    public static Optional<BrokerSecurity> shape(Path workDir) {
        try {
            return new BrokerWorkDir(workDir).formattedSecurity();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The client properties file of {@code user} that the last start in {@code workDir} wrote (mode 0600: it may hold
     * a password), for a process that did not start the broker, e.g. {@code stowage} commands after {@code stowage up}.
     * Kafka's own tools take it with {@code --command-config}.
     */
    public static Path clientPropertiesFile(Path workDir, BrokerUser user) {
        return new BrokerWorkDir(workDir).clientProperties(user);
    }

    /** The properties in {@link #clientPropertiesFile(Path, BrokerUser)}, for Kafka clients. */
    public static Map<String, String> clientProperties(Path workDir, BrokerUser user) {
        Path file = clientPropertiesFile(workDir, user);
        if (!Files.exists(file)) {
            throw new IllegalStateException("No Kafka client properties at " + file
                    + ": no broker was started in " + workDir + " (or it was started before there were such files)");
        }
        return ClientPropertiesFile.read(file);
    }

    /** The address clients connect to, e.g. {@code 127.0.0.1:40123}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public BrokerSecurity security() {
        return security.shape();
    }

    /**
     * Standard Kafka client properties that connect as {@code user}: {@code bootstrap.servers},
     * {@code security.protocol}, a PEM truststore with the broker's CA, and the SCRAM login ({@code sasl.mechanism},
     * {@code sasl.jaas.config}) or the client's PKCS12 keystore ({@code ssl.keystore.*}). Under PLAINTEXT only the
     * first two. They hold secrets: never log them.
     */
    public Map<String, String> clientProperties(BrokerUser user) {
        return security.client(bootstrapServers(), user);
    }

    /**
     * A client that trusts the broker's CA and speaks TLS ({@code security.protocol=SSL}) but presents no
     * identity: no SCRAM login, no client certificate. A secured broker must refuse it.
     */
    public Map<String, String> clientPropertiesWithoutCredentials() {
        return security.withoutCredentials(bootstrapServers());
    }

    /**
     * {@code user}'s properties, but trusting only the CA in {@code caPem} (e.g. {@link TestCertificates#unrelatedCaPem}):
     * a secured broker's certificate must then fail the TLS handshake.
     */
    public Map<String, String> clientPropertiesTrusting(BrokerUser user, Path caPem) {
        Map<String, String> properties = new HashMap<>(clientProperties(user));
        properties.put("ssl.truststore.type", "PEM");
        properties.put("ssl.truststore.location", caPem.toAbsolutePath().toString());
        return properties;
    }

    /** {@link #clientProperties(BrokerUser)} as written in the work directory at this start. */
    public Path clientPropertiesFile(BrokerUser user) {
        return dir.clientProperties(user);
    }

    /** The CA certificate (PEM) that signed the broker's certificate; a PLAINTEXT broker has none. */
    public Path caCertificatePem() {
        return security.caPem();
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

    private static KafkaBroker launch(BrokerWorkDir dir, int requestedPort, BrokerSecurity shape, boolean detached) {
        try {
            Files.createDirectories(dir.data());
            Optional<ProcessHandle> running = dir.runningBroker();
            if (running.isPresent()) {
                // Two brokers on one data directory: the second would die on the directory lock.
                throw new IllegalStateException("A Kafka broker already runs from " + dir.root()
                        + " (pid " + running.get().pid() + "); stop it first");
            }
            Optional<BrokerSecurity> formattedFor = dir.formattedSecurity();
            if (formattedFor.isPresent() && formattedFor.get() != shape) {
                throw new IllegalStateException("The Kafka broker in " + dir.root() + " was made " + formattedFor.get()
                        + " and cannot start " + shape + ": start it " + formattedFor.get()
                        + ", or remove the directory to begin again");
            }
            Path libs = KafkaLibs.locate();
            long started = System.nanoTime();
            // Before the ports are picked: making certificates takes a second, in which another could take them.
            ListenerSecurity security = ListenerSecurity.prepare(dir, shape);
            int[] ports = LocalPorts.free(HOST, 2);
            int port = requestedPort == 0 ? ports[0] : requestedPort;
            if (requestedPort != 0 && !LocalPorts.isFree(HOST, port)) {
                // Otherwise the readiness check could be answered by whatever already listens there.
                throw new IllegalStateException("Port " + port + " is already in use; cannot start a Kafka broker on it");
            }
            ServerProperties.write(dir.serverProperties(), dir.data(), ports[1],
                    security.serverProperties(HOST, port, ports[1]), shape.isSecure());
            if (!dir.isFormatted()) {
                // Before the format: a storage formatted without it would pass for a PLAINTEXT one.
                dir.recordSecurity(shape);
            }
            boolean formatted = BrokerProcess.formatIfNeeded(dir, libs, security.formatArguments());

            KafkaBroker broker = new KafkaBroker(dir, port, security, BrokerProcess.spawn(dir, libs, detached), detached);
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
            broker.writeClientProperties();
            LOG.infof("Kafka broker ready at %s (%s) in %d ms%s (pid %d, cluster %s, %s, work dir %s)",
                    broker.bootstrapServers(), shape, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
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

    /**
     * Waits until the broker serves Admin requests, which is when clients can use it; a secured one also grants the
     * service user its ACLs, as the admin.
     */
    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            // An Admin client connects as soon as it exists: created before the port
            // listens, it only fills the caller's log with connection warnings.
            AtomicReference<Throwable> lastFailure = new AtomicReference<>();
            whileAlive(deadline, () -> LocalPorts.accepts(HOST, port) ? Optional.of(true) : Optional.empty(), lastFailure);
            Map<String, Object> config = new HashMap<>(clientProperties(BrokerUser.ADMIN));
            config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
            config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
            try (Admin admin = Admin.create(config)) {
                clusterId = whileAlive(deadline, () -> {
                    try {
                        return Optional.of(admin.describeCluster().clusterId().get());
                    } catch (ExecutionException notYet) {
                        lastFailure.set(notYet.getCause());
                        return Optional.empty();
                    }
                }, lastFailure);
                if (security.shape().isSecure()) {
                    ServiceUserAcls.grant(admin);
                }
            } catch (ExecutionException e) {
                throw dir.startFailure("granting the ACLs of " + BrokerUser.SERVICE.principal() + " failed: "
                        + e.getCause());
            }
        } catch (InterruptedException | RuntimeException e) {
            abandon();
            throw e;
        }
    }

    private <T> T whileAlive(long deadline, Poll.Attempt<T> attempt, AtomicReference<Throwable> lastFailure)
            throws InterruptedException {
        return Poll.until(Duration.ofNanos(deadline - System.nanoTime()), () -> {
            if (!process.isAlive()) {
                throw dir.startFailure("the broker process exited during start-up");
            }
            return attempt.run();
        }).orElseThrow(() -> dir.startFailure("it did not answer on " + bootstrapServers() + " within "
                + START_TIMEOUT.toSeconds() + " s"
                // e.g. an SslAuthenticationException: the reason a secured start hangs is in the client, not the log.
                + (lastFailure.get() == null ? "" : " (last error: " + lastFailure.get() + ")")));
    }

    // For a later process (the CLI): the port may have changed, so they are written on every start.
    private void writeClientProperties() {
        for (BrokerUser user : BrokerUser.values()) {
            ClientPropertiesFile.write(clientProperties(user), dir.clientProperties(user),
                    "Kafka client properties for " + (security.shape().isSecure() ? user.userName() : "any client")
                            + " of the " + security.shape() + " broker in " + dir.root() + ".\n"
                            + "Written by io.stowage.localstack.KafkaBroker on every start; may hold a password.");
        }
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
