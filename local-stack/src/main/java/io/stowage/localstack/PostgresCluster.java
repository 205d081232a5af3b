package io.stowage.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * A real PostgreSQL 15 cluster for tests, run with the system's own server programs from a work directory: trust
 * authentication on 127.0.0.1 only, data checksums on, WAL and replication settings that base backups need.
 */
public final class PostgresCluster implements AutoCloseable {
    /** The table {@link #createSampleData(int)} fills. */
    public static final String SAMPLE_TABLE = "sample_data";

    private static final Logger LOG = Logger.getLogger(PostgresCluster.class);
    private static final String HOST = "127.0.0.1";
    private static final String SUPERUSER = "postgres";
    private static final String DATABASE = "postgres";
    private static final Duration SERVER_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(30);
    private static final int LOG_TAIL_LINES = 30;
    // sun_path holds 108 bytes with its terminating NUL; the socket file is named .s.PGSQL.<port>.
    private static final int MAX_SOCKET_PATH = 107;

    private final Path binDirectory;
    private final ServerUser user;
    private final Path workDir;
    private final Path dataDirectory;
    private final int port;
    private final Thread shutdownHook = new Thread(this::close, "stop-postgres");
    private boolean closed;

    private PostgresCluster(Path binDirectory, ServerUser user, Path workDir, Path dataDirectory, int port) {
        this.binDirectory = binDirectory;
        this.user = user;
        this.workDir = workDir;
        this.dataDirectory = dataDirectory;
        this.port = port;
    }

    /**
     * Creates a cluster in {@code workDir/data} (initdb, once: a later call on the same directory reuses it) and starts
     * it on a free port. {@link #close()} stops it, and so does JVM exit.
     */
    public static PostgresCluster start(Path workDir) {
        return start(workDir, Map.of());
    }

    /**
     * As {@link #start(Path)}, with more postgresql.conf settings for a new cluster (e.g. {@code archive_mode}); values
     * are written as they are, so quote strings as postgresql.conf wants them: {@code "'cp %p /archive/%f'"}.
     */
    public static PostgresCluster start(Path workDir, Map<String, String> settings) {
        Path root = workDir.toAbsolutePath().normalize();
        PostgresCluster cluster = prepare(root, root.resolve("data"));
        try {
            long started = System.nanoTime();
            boolean created = !Files.exists(cluster.dataDirectory.resolve("PG_VERSION"));
            if (created) {
                cluster.initdb(settings);
            }
            cluster.launch();
            LOG.infof("PostgreSQL ready at %s:%d in %d ms%s (OS user %s, data %s)", HOST, cluster.port,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), created ? " including initdb" : "",
                    cluster.user.name(), cluster.dataDirectory);
            return cluster;
        } catch (IOException e) {
            cluster.abandon();
            throw new UncheckedIOException("Cannot create a PostgreSQL cluster in " + root, e);
        } catch (RuntimeException e) {
            cluster.abandon();
            throw e;
        }
    }

    /**
     * Starts a server on an existing data directory (a restored backup, a copy of a stopped cluster) on a free port,
     * with its sockets and log in {@code workDir}. Hands the directory to the server's OS user with mode 0700 first.
     * Its own pg_hba.conf still decides who may connect.
     */
    public static PostgresCluster startExisting(Path dataDirectory, Path workDir) {
        Path data = dataDirectory.toAbsolutePath().normalize();
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            throw new IllegalArgumentException(data + " is not a PostgreSQL data directory (no PG_VERSION)");
        }
        PostgresCluster cluster = prepare(workDir.toAbsolutePath().normalize(), data);
        long started = System.nanoTime();
        try {
            cluster.launch();
        } catch (RuntimeException e) {
            cluster.abandon();
            throw e;
        }
        LOG.infof("PostgreSQL ready at %s:%d in %d ms on existing data %s (OS user %s)", HOST, cluster.port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), data, cluster.user.name());
        return cluster;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** The database superuser, which every connection from 127.0.0.1 may use without a password. */
    public String user() {
        return SUPERUSER;
    }

    /** The OS user the server runs as: {@code postgres} when this JVM is root, else this JVM's own. */
    public String osUser() {
        return user.name();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public Path binDirectory() {
        return binDirectory;
    }

    /** Where the server writes its log (pg_ctl -l). */
    public Path logFile() {
        return workDir.resolve("postgres.log");
    }

    /**
     * PGHOST, PGPORT, PGUSER and PGDATABASE for this cluster: with them, libpq tools in {@link #binDirectory()}
     * (pg_basebackup, pg_receivewal, psql) connect here without options.
     */
    public Map<String, String> clientEnvironment() {
        return Map.of("PGHOST", HOST, "PGPORT", String.valueOf(port), "PGUSER", SUPERUSER, "PGDATABASE", DATABASE);
    }

    /**
     * Runs SQL (one or more statements) with psql in the {@code postgres} database and returns what it printed:
     * unaligned rows without headers, one per line, fields separated by {@code |}. The first error stops it and
     * throws with psql's message.
     */
    public String psql(String sql) {
        ExternalCommand.Result result = ExternalCommand.of(List.of(binary("psql"), "-X", "-A", "-t", "-q",
                        "-v", "ON_ERROR_STOP=1"))
                .in(workDir).environment(clientEnvironment()).input(sql).timeout(CLIENT_TIMEOUT).run();
        if (result.exitCode() != 0) {
            throw new IllegalStateException("psql on " + HOST + ":" + port + " failed (exit " + result.exitCode()
                    + "): " + result.stderr().strip() + "\nSQL: " + abbreviate(sql));
        }
        return result.stdout().replaceAll("\\n+$", "");
    }

    /** Runs pgbench with these arguments against the {@code postgres} database; returns what it printed. */
    public String pgbench(String... args) {
        List<String> command = new ArrayList<>(List.of(binary("pgbench")));
        command.addAll(List.of(args));
        ExternalCommand.Result result = ExternalCommand.of(command)
                .in(workDir).environment(clientEnvironment()).timeout(CLIENT_TIMEOUT).run();
        if (result.exitCode() != 0) {
            throw new IllegalStateException("pgbench " + String.join(" ", args) + " failed (exit "
                    + result.exitCode() + "):\n" + result.output());
        }
        return result.output();
    }

    /**
     * Adds {@code rows} rows of random md5 text (64 hex characters each; compresses like real data, about 2:1) to
     * {@link #SAMPLE_TABLE}, creating it first if needed; ids continue where earlier calls stopped.
     */
    public void createSampleData(int rows) {
        psql("create table if not exists " + SAMPLE_TABLE + " (id bigint primary key, payload text not null);\n"
                + "insert into " + SAMPLE_TABLE + " (id, payload)\n"
                + "select base + g, md5(random()::text) || md5(random()::text)\n"
                + "from (select coalesce(max(id), 0) as base from " + SAMPLE_TABLE + ") b,"
                + " generate_series(1, " + rows + ") g;");
    }

    /**
     * An md5 over every row of the table (as SQL spells its name), in a fixed order: equal on a restored copy exactly
     * when the rows are equal.
     */
    public String checksum(String table) {
        return psql("select md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) from " + table + " t");
    }

    /** The running server's postmaster process id (the first line of postmaster.pid). */
    public long postmasterPid() {
        try {
            return Long.parseLong(Files.readAllLines(dataDirectory().resolve("postmaster.pid")).get(0).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read postmaster.pid in " + dataDirectory(), e);
        }
    }

    /** Whether the server runs (pg_ctl status). */
    public boolean isRunning() {
        return pgCtl(List.of("status")).exitCode() == 0;
    }

    /** Starts the server again after {@link #stop()}, on the same port. Nothing happens if it runs. */
    public void start() {
        if (!isRunning()) {
            launch();
        }
    }

    /** A clean shutdown (pg_ctl -m fast): clients are disconnected, a shutdown checkpoint is written. */
    public void stop() {
        shutdown("fast");
    }

    /**
     * Stops whatever server runs on a data directory this class did not start (a copy another program restored and
     * started, say), as the server's OS user; nothing happens when none runs there.
     */
    public static void stopServer(Path dataDirectory) {
        ServerUser user = ServerUser.forThisJvm();
        Path pgCtl = PostgresBinaries.locate().resolve("pg_ctl");
        String data = dataDirectory.toAbsolutePath().normalize().toString();
        if (ExternalCommand.of(user.command(List.of(pgCtl.toString(), "-D", data, "status"))).run().exitCode() != 0) {
            return;
        }
        ExternalCommand.Result result = ExternalCommand.of(user.command(List.of(pgCtl.toString(), "-D", data, "stop",
                "-m", "fast", "-w", "-t", String.valueOf(SERVER_TIMEOUT.toSeconds())))).timeout(SERVER_TIMEOUT.plusSeconds(30)).run();
        if (result.exitCode() != 0) {
            throw new IllegalStateException("pg_ctl stop on " + data + " failed (exit " + result.exitCode() + "): "
                    + result.output());
        }
    }

    /** A crash (pg_ctl -m immediate): no shutdown checkpoint, so the next start runs crash recovery. */
    public void crash() {
        shutdown("immediate");
    }

    /** Stops the server (fast), also if it was started again after an earlier close; the data directory stays. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // Called from the hook itself: nothing to remove.
            }
        }
        stop();
    }

    // A cluster that failed to start must leave no hook (or half-started server) behind; the first error is the story.
    private void abandon() {
        try {
            close();
        } catch (RuntimeException secondary) {
            LOG.debugf(secondary, "Cannot stop the PostgreSQL that failed to start in %s", workDir);
        }
    }

    private static PostgresCluster prepare(Path workDir, Path data) {
        Path bin = PostgresBinaries.locate();
        ServerUser user = ServerUser.forThisJvm();
        try {
            Files.createDirectories(workDir);
            Files.createDirectories(data);
            user.makeReachable(workDir);
            user.makeReachable(data);
            // The server writes its log and sockets here, and owns its data directory.
            user.own(workDir);
            user.own(data);
            // postgres refuses a data directory that others may read; a restored copy may have any mode.
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            PostgresCluster cluster = new PostgresCluster(bin, user, workDir, data, LocalPorts.free(HOST, 1)[0]);
            Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare " + workDir + " for PostgreSQL", e);
        }
    }

    private void initdb(Map<String, String> settings) throws IOException {
        List<String> command = List.of(binary("initdb"), "-D", dataDirectory.toString(), "--auth=trust",
                "-U", SUPERUSER, "--data-checksums", "--encoding=UTF8", "--locale=C",
                // Only initdb's own files skip fsync; the server keeps fsync on.
                "--no-sync");
        ExternalCommand.Result result = ExternalCommand.of(user.command(command))
                .in(workDir).timeout(SERVER_TIMEOUT).run();
        if (result.exitCode() != 0) {
            throw new IllegalStateException("initdb in " + dataDirectory + " failed (exit " + result.exitCode() + "):\n"
                    + result.output());
        }
        StringBuilder conf = new StringBuilder("\n# Added by io.stowage.localstack.PostgresCluster. Port, listen"
                + " address and socket directory come\n# from pg_ctl -o on every start, so a copy can run beside"
                + " its original.\n");
        // What base backups and WAL streaming need (15's defaults already, written down to be sure).
        conf.append("wal_level = replica\n");
        conf.append("max_wal_senders = 10\n");
        conf.append("max_replication_slots = 10\n");
        settings.forEach((name, value) -> conf.append(name).append(" = ").append(value).append('\n'));
        Files.writeString(dataDirectory.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
        Files.writeString(dataDirectory.resolve("pg_hba.conf"), """
                # Written by io.stowage.localstack.PostgresCluster: a test cluster trusts its own machine.
                # TYPE  DATABASE     USER  ADDRESS       METHOD
                local   all          all                 trust
                host    all          all   127.0.0.1/32  trust
                local   replication  all                 trust
                host    replication  all   127.0.0.1/32  trust
                """);
    }

    private void launch() {
        ExternalCommand.Result result = pgCtl(List.of("start", "-w", "-t", String.valueOf(SERVER_TIMEOUT.toSeconds()),
                "-l", logFile().toString(), "-o", serverOptions()));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("PostgreSQL on " + dataDirectory + " did not start (pg_ctl exit "
                    + result.exitCode() + "): " + result.output() + "\nLast " + LOG_TAIL_LINES + " lines of "
                    + logFile() + ":\n" + logTail());
        }
    }

    private void shutdown(String mode) {
        if (!isRunning()) {
            return;
        }
        ExternalCommand.Result result = pgCtl(List.of("stop", "-m", mode, "-w",
                "-t", String.valueOf(SERVER_TIMEOUT.toSeconds())));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("pg_ctl stop -m " + mode + " on " + dataDirectory + " failed (exit "
                    + result.exitCode() + "): " + result.output());
        }
    }

    private ExternalCommand.Result pgCtl(List<String> args) {
        List<String> command = new ArrayList<>(List.of(binary("pg_ctl"), "-D", dataDirectory.toString()));
        command.addAll(args);
        return ExternalCommand.of(user.command(command)).in(workDir)
                .timeout(SERVER_TIMEOUT.plusSeconds(30)).run();
    }

    /** pg_ctl hands -o to postgres through /bin/sh, so values are shell-quoted. */
    private String serverOptions() {
        Path sockets = workDir.resolve("sockets");
        String socketDirectories = "";
        if (sockets.resolve(".s.PGSQL." + port).toString().length() <= MAX_SOCKET_PATH) {
            try {
                Files.createDirectories(sockets);
                user.own(sockets);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create " + sockets, e);
            }
            socketDirectories = sockets.toString();
        } else {
            // Too long for a Unix socket's address: TCP alone, which is all the clients here use.
            LOG.debugf("%s is too long for a Unix socket path; PostgreSQL listens on TCP only", sockets);
        }
        return "-p " + port
                + " -c " + shellQuote("listen_addresses=" + HOST)
                + " -c " + shellQuote("unix_socket_directories=" + socketDirectories);
    }

    private String binary(String program) {
        return binDirectory.resolve(program).toString();
    }

    private String logTail() {
        try {
            List<String> all = new String(Files.readAllBytes(logFile()), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - LOG_TAIL_LINES), all.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e + ")";
        }
    }

    private static String shellQuote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static String abbreviate(String sql) {
        String line = sql.strip().replaceAll("\\s+", " ");
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }
}
