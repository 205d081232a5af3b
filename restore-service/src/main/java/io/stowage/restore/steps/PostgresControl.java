package io.stowage.restore.steps;

import io.stowage.events.spec.PostgresSpec;
import org.postgresql.PGProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's own programs, run where the data directories are: pg_ctl to stop and start a server, pg_verifybackup
 * to check a restored copy, and a SQL connection to watch recovery. As root, server programs run as the cluster's OS
 * user ({@code spec.postgres.osUser}) through runuser, and restored files are handed to that user.
 */
public final class PostgresControl {
    private static final List<Path> KNOWN_BIN_DIRS = List.of(Path.of("/usr/lib/postgresql/17/bin"),
            Path.of("/usr/lib/postgresql/16/bin"), Path.of("/usr/lib/postgresql/15/bin"), Path.of("/usr/pgsql-15/bin"));
    private static final List<Path> RUNUSER = List.of(Path.of("/usr/sbin/runuser"), Path.of("/sbin/runuser"));
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);

    /** What a finished command said. */
    public record Result(int exitCode, String output) {
    }

    /** Recovery as the server reports it. */
    public record RecoveryStatus(boolean inRecovery, long replayLsn) {
    }

    private final PostgresSpec spec;
    private final String password;
    private final Path bin;

    public PostgresControl(PostgresSpec spec, String password) {
        this.spec = spec;
        this.password = password;
        this.bin = spec.binDirectory() != null ? Path.of(spec.binDirectory()) : KNOWN_BIN_DIRS.stream()
                .filter(d -> Files.isExecutable(d.resolve("pg_ctl"))).findFirst()
                .orElseThrow(() -> new IllegalStateException("PostgreSQL's programs not found: set "
                        + "spec.postgres.binDirectory (looked in " + KNOWN_BIN_DIRS + ")"));
    }

    /** Whether a server runs on this data directory (pg_ctl status). */
    public boolean isRunning(Path dataDirectory) throws IOException {
        return Files.exists(dataDirectory.resolve("postmaster.pid"))
                && run(asServerUser(List.of(tool("pg_ctl"), "status", "-D", dataDirectory.toString()))).exitCode() == 0;
    }

    /** A clean, fast stop: clients are disconnected and a shutdown checkpoint is written. */
    public void stop(Path dataDirectory) throws IOException {
        Result r = run(asServerUser(List.of(tool("pg_ctl"), "stop", "-D", dataDirectory.toString(), "-m", "fast",
                "-w", "-t", "300")));
        if (r.exitCode() != 0 && isRunning(dataDirectory)) {
            throw new IOException("pg_ctl stop on " + dataDirectory + " failed: " + r.output().strip());
        }
    }

    /**
     * Starts a server on {@code dataDirectory} with the server options it is given, logging into
     * {@code logFile}; detached in a session of its own, so it outlives restore-service.
     */
    public void start(Path dataDirectory, List<String> options, Path logFile) throws IOException {
        List<String> command = new ArrayList<>();
        setsid().ifPresent(command::add);
        command.addAll(asServerUser(List.of(tool("pg_ctl"), "start", "-D", dataDirectory.toString(), "-w",
                "-t", "300", "-l", logFile.toString(), "-o", shellQuoted(options))));
        Result r = run(command);
        if (r.exitCode() != 0) {
            throw new IOException("PostgreSQL did not start on " + dataDirectory + " (pg_ctl exit " + r.exitCode()
                    + "): " + r.output().strip() + tail(logFile));
        }
    }

    /**
     * The timeline of the newest checkpoint in a stopped or running data directory's pg_control (pg_controldata):
     * greater than the backup's once the restored copy has been promoted.
     */
    public long checkpointTimeline(Path dataDirectory) throws IOException {
        Result r = run(asServerUser(List.of(tool("pg_controldata"), "-D", dataDirectory.toString())));
        if (r.exitCode() != 0) {
            throw new IOException("pg_controldata on " + dataDirectory + " failed: " + r.output().strip());
        }
        return controlTimeline(r.output());
    }

    /** {@code Latest checkpoint's TimeLineID: 2} in what pg_controldata printed. */
    static long controlTimeline(String controlData) throws IOException {
        for (String line : controlData.split("\n")) {
            if (line.startsWith("Latest checkpoint's TimeLineID:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        throw new IOException("pg_controldata printed no \"Latest checkpoint's TimeLineID\"");
    }

    /**
     * pg_verifybackup on a restored copy, before any setting is written into it; with {@code skipChecksums} when
     * every file's checksum has been compared already (as it was unpacked).
     */
    public Result verifyBackup(Path dataDirectory, boolean skipChecksums) throws IOException {
        List<String> command = new ArrayList<>(List.of(tool("pg_verifybackup"), "--quiet"));
        if (skipChecksums) {
            command.add("--skip-checksums");
        }
        command.add(dataDirectory.toString());
        return run(command);
    }

    /** Hands a restored tree to the server's OS user when this process runs as someone else (root). */
    public void handOver(Path dir) throws IOException {
        if (!switchesUser()) {
            return;
        }
        Result r = run(List.of("chown", "-R", spec.osUser() + ":", dir.toString()));
        if (r.exitCode() != 0) {
            throw new IOException("cannot hand " + dir + " to " + spec.osUser() + ": " + r.output().strip());
        }
    }

    /**
     * The options the server on {@code dataDirectory} was last started with (its postmaster.opts), without the
     * program and its {@code -D}: so a restored copy starts as its original did (port, sockets, settings).
     */
    public static List<String> startOptions(Path dataDirectory) throws IOException {
        Path opts = dataDirectory.resolve("postmaster.opts");
        if (!Files.exists(opts)) {
            return List.of();
        }
        List<String> words = new ArrayList<>();
        Matcher m = QUOTED.matcher(Files.readString(opts, StandardCharsets.UTF_8));
        while (m.find()) {
            words.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        // postmaster.opts is the program, unquoted, then every argument in double quotes: the quoted words are
        // the arguments.
        List<String> options = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i).equals("-D")) {
                i++;
            } else {
                options.add(words.get(i));
            }
        }
        return options;
    }

    /** The same options with the port replaced (a new instance beside the original). */
    public static List<String> withPort(List<String> options, int port) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < options.size(); i++) {
            String word = options.get(i);
            boolean hasNext = i + 1 < options.size();
            if ((word.equals("-p") && hasNext) || (word.equals("-c") && hasNext
                    && options.get(i + 1).startsWith("port="))) {
                i++; // the flag and its value: -p N, -c port=N
            } else if (!(word.startsWith("-p") && word.length() > 2 && Character.isDigit(word.charAt(2)))
                    && !word.startsWith("-cport=") && !word.startsWith("--port=")) {
                out.add(word);
            }
        }
        out.add("-p");
        out.add(Integer.toString(port));
        return out;
    }

    /** Asks the server on {@code port} how its recovery goes, on one connection kept open between questions. */
    public RecoveryProbe recoveryProbe(int port) {
        return new RecoveryProbe(port);
    }

    /** A connection to a recovering server, opened on the first question and again after a failed one. */
    public final class RecoveryProbe implements AutoCloseable {
        private final int port;
        private Connection connection;

        private RecoveryProbe(int port) {
            this.port = port;
        }

        /** Whether the server is still recovering, and how far it has replayed. */
        public RecoveryStatus status() throws SQLException {
            try {
                if (connection == null) {
                    connection = connect(port);
                }
                try (Statement s = connection.createStatement();
                     ResultSet rs = s.executeQuery("select pg_is_in_recovery(), "
                             + "coalesce(pg_last_wal_replay_lsn(), '0/0'::pg_lsn) - '0/0'::pg_lsn")) {
                    rs.next();
                    return new RecoveryStatus(rs.getBoolean(1), rs.getLong(2));
                }
            } catch (SQLException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // the server went away: nothing to close
                }
                connection = null;
            }
        }
    }

    /** Runs one query on {@code port} and returns the first column of the first row. */
    public String queryOne(int port, String sql) throws SQLException {
        try (Connection c = connect(port); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private Connection connect(int port) throws SQLException {
        Properties p = new Properties();
        PGProperty.USER.set(p, spec.user());
        if (password != null) {
            PGProperty.PASSWORD.set(p, password);
        }
        PGProperty.APPLICATION_NAME.set(p, "stowage-restore");
        PGProperty.CONNECT_TIMEOUT.set(p, 5);
        return DriverManager.getConnection("jdbc:postgresql://" + spec.host() + ":" + port + "/postgres", p);
    }

    private String tool(String name) {
        return bin.resolve(name).toString();
    }

    private boolean switchesUser() {
        return spec.osUser() != null && !spec.osUser().equals(System.getProperty("user.name"));
    }

    private List<String> asServerUser(List<String> command) {
        if (!switchesUser()) {
            return command;
        }
        Path runuser = RUNUSER.stream().filter(Files::isExecutable).findFirst().orElseThrow(() ->
                new IllegalStateException("PostgreSQL runs as the OS user " + spec.osUser() + ", which needs runuser"));
        List<String> out = new ArrayList<>(List.of(runuser.toString(), "-u", spec.osUser(), "--"));
        out.addAll(command);
        return out;
    }

    private static Optional<String> setsid() {
        return List.of(Path.of("/usr/bin/setsid"), Path.of("/bin/setsid")).stream().filter(Files::isExecutable)
                .findFirst().map(Path::toString);
    }

    static String shellQuoted(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append('\'').append(w.replace("'", "'\\''")).append('\'');
        }
        return b.toString();
    }

    private static String tail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return "\nlast lines of " + logFile + ":\n" + String.join("\n",
                    lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private Result run(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("PGPASSWORD");
        Path out = Files.createTempFile("stowage-restore-", ".out");
        try {
            Process p = pb.redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish within " + COMMAND_TIMEOUT);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
