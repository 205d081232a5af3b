package io.stowage.cli.stack;

import io.stowage.localstack.PostgresCluster;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the local stack (the demo's), under {@code .stowage/postgres/<name>}: {@code data/}, its
 * log and sockets. local-stack's {@link PostgresCluster} creates it (initdb, sample data); from then on it runs
 * detached, started and stopped here with pg_ctl, so it outlives the command that started it and runs until
 * {@code stowage down}. As root, the server runs as the OS user {@code postgres}, as PostgreSQL demands.
 */
public final class LocalPostgres {
    public static final String HOST = "127.0.0.1";
    public static final String USER = "postgres";
    static final String STATE_FILE = "stowage-cluster.properties";
    private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(120);
    // sun_path holds 108 bytes with its terminating NUL; the socket file is named .s.PGSQL.<port>.
    private static final int MAX_SOCKET_PATH = 107;
    private static final List<Path> RUNUSER = List.of(Path.of("/usr/sbin/runuser"), Path.of("/sbin/runuser"));

    /** What the cluster was made with: where its programs are, which OS user runs it, the port it last ran on. */
    public record Settings(Path binDirectory, String osUser, int port) {
    }

    /** The running server, from its {@code postmaster.pid}. */
    public record Running(long pid, int port) {
    }

    private final String name;
    private final Path workDir;

    public LocalPostgres(StowageHome home, String name) {
        this.name = name;
        this.workDir = home.postgres().resolve(name);
    }

    public String name() {
        return name;
    }

    public Path workDir() {
        return workDir;
    }

    public Path dataDirectory() {
        return workDir.resolve("data");
    }

    public Path log() {
        return workDir.resolve("postgres.log");
    }

    /** Whether the cluster was made to the end (initdb and its sample data): its settings file is written last. */
    public boolean exists() {
        return Files.isRegularFile(workDir.resolve(STATE_FILE));
    }

    public Optional<Settings> settings() {
        Path file = workDir.resolve(STATE_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
            return Optional.of(new Settings(Path.of(p.getProperty("binDirectory")), p.getProperty("osUser"),
                    Integer.parseInt(p.getProperty("port"))));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException(file + " is damaged (" + e.getMessage() + "): remove " + workDir
                    + " and run the demo again", e);
        }
    }

    /** The server running on this data directory, if any: the live postmaster its {@code postmaster.pid} names. */
    public Optional<Running> running() {
        Path pidFile = dataDirectory().resolve("postmaster.pid");
        List<String> lines;
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty(); // a server shutting down removes it under our feet
        }
        return parsePidFile(lines).filter(r -> ProcessHandle.of(r.pid()).map(ProcessHandle::isAlive).orElse(false)
                && ProcessCommandLine.of(r.pid()).map(LocalPostgres::isPostmaster).orElse(false));
    }

    /** {@code postmaster.pid}: the pid on line 1, the data directory on line 2, the port on line 4. */
    static Optional<Running> parsePidFile(List<String> lines) {
        if (lines.size() < 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Running(Long.parseLong(lines.get(0).strip()), Integer.parseInt(lines.get(3).strip())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isPostmaster(List<String> args) {
        return !args.isEmpty() && (args.get(0).endsWith("/postgres") || args.get(0).equals("postgres")
                || args.get(0).startsWith("postgres:"));
    }

    /**
     * Makes the cluster with local-stack's {@link PostgresCluster} (initdb on a free port), fills it with
     * {@code sampleRows} rows of {@link PostgresCluster#SAMPLE_TABLE}, stops it and records its settings. A cluster
     * whose making was cut short is taken up again: initdb runs once, the rows are added only when missing.
     */
    public Settings create(int sampleRows, Consumer<String> say) {
        Settings settings;
        try (PostgresCluster cluster = PostgresCluster.start(workDir)) {
            long rows = Long.parseLong(cluster.psql("select count(*) from pg_class where relname = '"
                    + PostgresCluster.SAMPLE_TABLE + "' and relkind = 'r'")) == 0 ? 0
                    : Long.parseLong(cluster.psql("select count(*) from " + PostgresCluster.SAMPLE_TABLE));
            if (rows < sampleRows) {
                say.accept("adding " + (sampleRows - rows) + " rows of sample data to table "
                        + PostgresCluster.SAMPLE_TABLE + "...");
                cluster.createSampleData((int) (sampleRows - rows));
            }
            settings = new Settings(cluster.binDirectory(), cluster.osUser(), cluster.port());
        } // PostgresCluster stops what it started when it is closed: from here on, pg_ctl runs it detached.
        writeSettings(settings);
        return settings;
    }

    /**
     * Starts the server detached (pg_ctl start -w), on the port it last had when that is free, else on another
     * free one (recorded). Returns where it runs.
     */
    public Running start() {
        Settings settings = settings().orElseThrow(() -> new IllegalStateException("no cluster in " + workDir));
        int port = isFree(settings.port()) ? settings.port() : freePort();
        if (port != settings.port()) {
            settings = new Settings(settings.binDirectory(), settings.osUser(), port);
            writeSettings(settings);
        }
        Path sockets = workDir.resolve("sockets");
        boolean socketFits = sockets.resolve(".s.PGSQL." + port).toString().length() <= MAX_SOCKET_PATH
                && Files.isDirectory(sockets);
        String options = "-p " + port + " -c " + shellQuote("listen_addresses=" + HOST)
                + " -c " + shellQuote("unix_socket_directories=" + (socketFits ? sockets.toString() : ""));
        pgCtl(settings, List.of("start", "-w", "-t", Long.toString(PG_CTL_TIMEOUT.toSeconds()),
                "-l", log().toString(), "-o", options), "start");
        return running().orElseThrow(() -> new IllegalStateException("pg_ctl started PostgreSQL on "
                + dataDirectory() + ", but no server runs there now; see " + log()));
    }

    /** pg_ctl stop -m fast: clients are disconnected, a shutdown checkpoint is written. False if none ran. */
    public boolean stop() {
        Optional<Running> running = running();
        if (running.isEmpty()) {
            return false;
        }
        Settings settings = settings().orElseThrow(() -> new IllegalStateException("a PostgreSQL runs on "
                + dataDirectory() + " but " + workDir.resolve(STATE_FILE) + " is missing: stop it with pg_ctl"));
        pgCtl(settings, List.of("stop", "-m", "fast", "-w", "-t", Long.toString(PG_CTL_TIMEOUT.toSeconds())), "stop");
        return true;
    }

    /**
     * Takes charge of a cluster that something else made in {@link #dataDirectory()} (a restore drill's copy):
     * records how it runs, so {@link #running()}, {@link #stop()} and {@link #remove()} work on it.
     */
    public void adopt(Settings settings) {
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + workDir, e);
        }
        writeSettings(settings);
    }

    /** Stops the server if it runs and deletes the whole work folder, data directory included. */
    public void remove() {
        if (exists()) {
            stop();
        }
        if (!Files.exists(workDir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(workDir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + workDir, e);
        }
    }

    /** One query through psql on the running server ({@link #USER} over TCP); what it printed, trimmed. */
    public String query(String sql) {
        Settings settings = settings().orElseThrow(() -> new IllegalStateException("no cluster in " + workDir));
        Running running = running().orElseThrow(() -> new IllegalStateException("no server runs on "
                + dataDirectory()));
        try {
            Process psql = new ProcessBuilder(settings.binDirectory().resolve("psql").toString(), "-X", "-A", "-t",
                    "-h", HOST, "-p", Integer.toString(running.port()), "-U", USER, "-c", sql)
                    .redirectErrorStream(true).start();
            psql.getOutputStream().close();
            String output = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!psql.waitFor(PG_CTL_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || psql.exitValue() != 0) {
                throw new IllegalStateException("psql on port " + running.port() + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run psql", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running psql", e);
        }
    }

    private void pgCtl(Settings settings, List<String> args, String what) {
        List<String> command = new ArrayList<>(asUser(settings.osUser()));
        command.addAll(List.of(settings.binDirectory().resolve("pg_ctl").toString(), "-D", dataDirectory().toString()));
        command.addAll(args);
        Path output = null;
        try {
            output = Files.createTempFile("stowage-pg_ctl-", ".out");
            Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(PG_CTL_TIMEOUT.plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("pg_ctl " + what + " on " + dataDirectory() + " did not finish");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("pg_ctl " + what + " on " + dataDirectory() + " failed (exit "
                        + process.exitValue() + "): " + Files.readString(output).strip() + "; see " + log());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running pg_ctl " + what, e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    /** PostgreSQL's programs refuse root: as root they run as the cluster's OS user, through runuser. */
    static List<String> asUser(String osUser) {
        if (osUser == null || osUser.equals(System.getProperty("user.name"))) {
            return List.of();
        }
        Path runuser = RUNUSER.stream().filter(Files::isExecutable).findFirst().orElseThrow(() ->
                new IllegalStateException("PostgreSQL runs as the OS user " + osUser + ", which needs runuser ("
                        + RUNUSER + ")"));
        return List.of(runuser.toString(), "-u", osUser, "--");
    }

    private void writeSettings(Settings settings) {
        Path file = workDir.resolve(STATE_FILE);
        Path temp = workDir.resolve("." + STATE_FILE + ".tmp");
        try {
            Files.writeString(temp, "# Written by stowage: how the local stack runs this PostgreSQL cluster.\n"
                    + "binDirectory=" + settings.binDirectory().toString().replace("\\", "\\\\") + "\n"
                    + "osUser=" + settings.osUser() + "\n"
                    + "port=" + settings.port() + "\n");
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(HOST, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(HOST, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + HOST, e);
        }
    }

    /** pg_ctl hands -o to postgres through /bin/sh. */
    private static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
