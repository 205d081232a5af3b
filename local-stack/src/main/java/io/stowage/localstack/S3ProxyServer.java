package io.stowage.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

/**
 * A real S3 API server (S3Proxy on its filesystem backend) run as a subprocess from a work directory, over HTTP or
 * over HTTPS with a certificate from a test CA of its own.
 */
public final class S3ProxyServer implements AutoCloseable {
    /** S3Proxy ignores the region; clients must still sign for one. */
    public static final String REGION = "us-east-1";

    private static final Logger LOG = Logger.getLogger(S3ProxyServer.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    // Real S3's rules, which also keep a bucket name from climbing out of the data directory.
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final List<String> JVM = List.of(
            "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
            // Logback otherwise reports its own configuration at every start.
            "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener");

    private final S3ProxyWorkDir dir;
    private final URI endpoint;
    private final S3ProxyWorkDir.Credentials credentials;
    private final Path caPem; // null over plain HTTP
    private final ProcessHandle process;
    private final Thread shutdownHook; // null when detached: nothing here may stop it
    private boolean closed;

    private S3ProxyServer(S3ProxyWorkDir dir, URI endpoint, S3ProxyWorkDir.Credentials credentials, Path caPem,
            ProcessHandle process, boolean detached) {
        this.dir = dir;
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.caPem = caPem;
        this.process = process;
        this.shutdownHook = detached ? null : new Thread(this::close, "stop-s3proxy-" + endpoint.getPort());
    }

    /**
     * Starts an S3Proxy that this JVM owns on a free port: {@link #close()} stops it, and so does JVM exit. Blocks
     * until it answers HTTP(S), at most 60 s.
     */
    public static S3ProxyServer start(Path workDir, boolean https) {
        return start(workDir, 0, https);
    }

    /** As {@link #start(Path, boolean)}, on the given port (0 picks a free one). */
    public static S3ProxyServer start(Path workDir, int port, boolean https) {
        return launch(new S3ProxyWorkDir(workDir), port, https, false);
    }

    /**
     * Starts an S3Proxy that outlives this JVM and the terminal's Ctrl-C (for {@code stowage up}). Stop it with
     * {@link #stop(Path)}; {@link #close()} leaves it running.
     */
    public static S3ProxyServer startDetached(Path workDir, int port, boolean https) {
        return launch(new S3ProxyWorkDir(workDir), port, https, true);
    }

    /** Whether the S3Proxy recorded in the work directory's pid file is alive. */
    public static boolean isRunning(Path workDir) {
        try {
            return new S3ProxyWorkDir(workDir).runningServer().isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The S3Proxy running from this work directory (started detached, perhaps by another process), with its endpoint
     * and credentials; {@link #close()} on it leaves it running.
     */
    public static Optional<S3ProxyServer> running(Path workDir) {
        S3ProxyWorkDir dir = new S3ProxyWorkDir(workDir);
        try {
            Optional<ProcessHandle> process = dir.runningServer();
            if (process.isEmpty()) {
                return Optional.empty();
            }
            Properties settings = dir.settings();
            String secure = settings.getProperty("s3proxy.secure-endpoint");
            URI endpoint = URI.create(secure != null ? secure : settings.getProperty("s3proxy.endpoint"));
            Path caPem = secure != null ? dir.tls().resolve("ca.pem") : null;
            return Optional.of(new S3ProxyServer(dir, endpoint, dir.credentials(), caPem, process.get(), true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the S3Proxy recorded in the pid file (SIGTERM, then SIGKILL after 30 s); false if none was running. */
    public static boolean stop(Path workDir) {
        S3ProxyWorkDir dir = new S3ProxyWorkDir(workDir);
        try {
            Optional<ProcessHandle> running = dir.runningServer();
            running.ifPresent(process -> ProcessStop.terminate(process, "S3Proxy", STOP_GRACE));
            dir.deletePid();
            return running.isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:PORT} or {@code https://127.0.0.1:PORT}; clients must use path-style addressing. */
    public URI endpoint() {
        return endpoint;
    }

    public boolean https() {
        return caPem != null;
    }

    public String accessKeyId() {
        return credentials.accessKeyId();
    }

    public String secretAccessKey() {
        return credentials.secretAccessKey();
    }

    public String region() {
        return REGION;
    }

    /** The PEM of the test CA that signed this server's certificate: the CA bundle clients must trust. HTTPS only. */
    public Path caCertificatePem() {
        if (caPem == null) {
            throw new IllegalStateException(
                    "S3Proxy at " + endpoint + " serves plain HTTP: there is no CA certificate");
        }
        return caPem;
    }

    /** Where S3Proxy keeps the objects: a directory per bucket, a file per object. */
    public Path dataDirectory() {
        return dir.data();
    }

    public Path workDir() {
        return dir.root();
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Creates a bucket (if it does not exist yet). The filesystem backend lists every directory under its base
     * directory as a bucket, so this needs no signed request.
     */
    public void createBucket(String name) {
        if (!BUCKET_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Not a valid S3 bucket name: '" + name + "'");
        }
        try {
            Files.createDirectories(dir.data().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create bucket " + name + " in " + dir.data(), e);
        }
    }

    /** Stops an owned S3Proxy and waits for it to exit; a detached one is left running. */
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
        ProcessStop.terminate(process, "S3Proxy", STOP_GRACE);
        dir.deletePid();
        LOG.infof("S3Proxy %s stopped (pid %d)", endpoint, process.pid());
    }

    private static S3ProxyServer launch(S3ProxyWorkDir dir, int requestedPort, boolean https, boolean detached) {
        try {
            Files.createDirectories(dir.data());
            Optional<ProcessHandle> running = dir.runningServer();
            if (running.isPresent()) {
                throw new IllegalStateException("An S3Proxy already runs from " + dir.root()
                        + " (pid " + running.get().pid() + "); stop it first");
            }
            Path jar = S3ProxyJar.locate();
            int port = requestedPort == 0 ? LocalPorts.free(HOST, 1)[0] : requestedPort;
            if (requestedPort != 0 && !LocalPorts.isFree(HOST, port)) {
                // Otherwise the readiness check could be answered by whatever already listens there.
                throw new IllegalStateException("Port " + port + " is already in use; cannot start S3Proxy on it");
            }
            long started = System.nanoTime();
            S3ProxyWorkDir.Credentials credentials = dir.credentials();
            TestCertificates.ServerTls tls = https ? TestCertificates.serverTls(dir.tls()) : null;
            URI endpoint = URI.create((https ? "https" : "http") + "://" + HOST + ":" + port);
            writeSettings(dir, endpoint, credentials, tls);

            S3ProxyServer server = new S3ProxyServer(dir, endpoint, credentials, tls == null ? null : tls.caPem(),
                    spawn(dir, jar, detached), detached);
            if (!detached) {
                Runtime.getRuntime().addShutdownHook(server.shutdownHook);
            }
            try {
                dir.writePid(server.pid());
            } catch (IOException e) {
                server.abandon(); // an unrecorded detached server could never be stopped
                throw e;
            }
            server.awaitReady();
            LOG.infof("S3Proxy ready at %s in %d ms (pid %d, %s, work dir %s)", endpoint,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), server.pid(),
                    detached ? "detached" : "owned", dir.root());
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start S3Proxy in " + dir.root(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting S3Proxy in " + dir.root(), e);
        }
    }

    /** Rewritten on every start, because the port and the scheme may change from one start to the next. */
    private static void writeSettings(S3ProxyWorkDir dir, URI endpoint, S3ProxyWorkDir.Credentials credentials,
            TestCertificates.ServerTls tls) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        // S3Proxy's own filesystem backend: multipart uploads work, and plain directories are buckets.
        p.put("jclouds.provider", "filesystem-nio2");
        p.put("jclouds.filesystem.basedir", dir.data().toString());
        p.put("s3proxy.authorization", "aws-v2-or-v4");
        p.put("s3proxy.identity", credentials.accessKeyId());
        p.put("s3proxy.credential", credentials.secretAccessKey());
        // No s3proxy.virtual-host: requests name the bucket in the path, as clients of a custom endpoint do.
        if (tls == null) {
            p.put("s3proxy.endpoint", endpoint.toString());
        } else {
            p.put("s3proxy.secure-endpoint", endpoint.toString());
            p.put("s3proxy.keystore-path", tls.keystore().toString());
            p.put("s3proxy.keystore-password", tls.password());
        }
        String text = p.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "# Written by io.stowage.localstack.S3ProxyServer on every start:"
                        + " edits are overwritten.\n", "\n"));
        LocalFiles.writePrivate(dir.properties(), text);
    }

    private static ProcessHandle spawn(S3ProxyWorkDir dir, Path jar, boolean detached) throws IOException {
        List<String> command = new ArrayList<>();
        if (detached) {
            // A session of its own: the terminal's Ctrl-C and hang-up never reach it, and setsid execs
            // in place, so the pid we record is S3Proxy's.
            JavaCommand.setsid().ifPresentOrElse(command::add,
                    () -> LOG.warn("setsid not found: the detached S3Proxy shares this terminal's Ctrl-C"));
        }
        command.add(JavaCommand.javaBinary());
        command.addAll(JVM);
        command.addAll(List.of("-jar", jar.toString(), "--properties", dir.properties().toString()));
        Process process = new ProcessBuilder(command)
                .directory(dir.root().toFile())
                .redirectErrorStream(true)
                // A file, not a pipe: a detached server must not block or die on a pipe whose reader has exited.
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.log().toFile()))
                .start();
        process.getOutputStream().close();
        return process.toHandle();
    }

    /** Waits until the port answers HTTP(S): any response, even S3's AccessDenied to an unsigned request, will do. */
    private void awaitReady() throws InterruptedException {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1));
        if (caPem != null) {
            builder.sslContext(TestCertificates.trusting(caPem));
        }
        HttpClient client = builder.build();
        HttpRequest probe = HttpRequest.newBuilder(endpoint.resolve("/")).timeout(Duration.ofSeconds(2)).build();
        AtomicReference<IOException> lastFailure = new AtomicReference<>();
        try {
            Poll.until(START_TIMEOUT, () -> {
                if (!process.isAlive()) {
                    throw dir.startFailure("the S3Proxy process exited during start-up");
                }
                try {
                    return Optional.of(client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode());
                } catch (IOException notYet) {
                    lastFailure.set(notYet);
                    return Optional.empty();
                }
            }).orElseThrow(() -> dir.startFailure("it did not answer on " + endpoint + " within "
                    + START_TIMEOUT.toSeconds() + " s (last attempt: " + lastFailure.get() + ")"));
        } catch (InterruptedException | RuntimeException e) {
            abandon();
            throw e;
        }
    }

    // A server that failed to start must not linger, detached or not.
    private void abandon() {
        if (shutdownHook != null) {
            close();
        } else {
            ProcessStop.terminate(process, "S3Proxy", STOP_GRACE);
            dir.deletePid();
        }
    }
}
