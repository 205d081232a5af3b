package io.stowage.postgres;

import io.stowage.events.spec.PostgresSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL's server programs, run on a data directory of this host: pg_ctl to tell whether a server runs on it, to
 * stop and to start it, pg_controldata to read its pg_control, pg_verifybackup to check a restored copy. Each is the
 * program of the data directory's own major version ({@link PostgresPrograms}). As root, they run as the cluster's
 * OS user ({@code spec.postgres.osUser}) through runuser, and files made for the server are handed to that user.
 */
public final class ServerControl {
    /** What it runs: a bin directory counts when it holds all of them. */
    private static final String[] PROGRAMS = {"pg_ctl", "pg_controldata", "pg_verifybackup"};
    private static final List<Path> RUNUSER = List.of(Path.of("/usr/sbin/runuser"), Path.of("/sbin/runuser"));
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);

    /** What a finished command said. */
    public record Result(int exitCode, String output) {
    }

    private final PostgresSpec spec;
    private final PostgresPrograms programs;

    /** @throws IllegalStateException when none of the places {@link PostgresPrograms} looks at holds the programs */
    public ServerControl(PostgresSpec spec) {
        this.spec = spec;
        this.programs = PostgresPrograms.onThisHost(spec.binDirectory(), PROGRAMS);
    }

    /** Whether a server runs on this data directory (pg_ctl status). */
    public boolean isRunning(Path dataDirectory) throws IOException {
        return Files.exists(dataDirectory.resolve("postmaster.pid"))
                && run(asServerUser(List.of(tool("pg_ctl", dataDirectory), "status", "-D", dataDirectory.toString())))
                .exitCode() == 0;
    }

    /** A clean, fast stop: clients are disconnected and a shutdown checkpoint is written. */
    public void stop(Path dataDirectory) throws IOException {
        Result r = run(asServerUser(List.of(tool("pg_ctl", dataDirectory), "stop", "-D", dataDirectory.toString(),
                "-m", "fast", "-w", "-t", "300")));
        if (r.exitCode() != 0 && isRunning(dataDirectory)) {
            throw new IOException("pg_ctl stop on " + dataDirectory + " failed: " + r.output().strip());
        }
    }

    /**
     * Starts a server on {@code dataDirectory} with the server options it is given, logging into
     * {@code logFile}; detached in a session of its own, so it outlives the process that starts it.
     */
    public void start(Path dataDirectory, List<String> options, Path logFile) throws IOException {
        List<String> command = new ArrayList<>();
        setsid().ifPresent(command::add);
        command.addAll(asServerUser(List.of(tool("pg_ctl", dataDirectory), "start", "-D", dataDirectory.toString(),
                "-w", "-t", "300", "-l", logFile.toString(), "-o", shellQuoted(options))));
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
        Result r = run(asServerUser(List.of(tool("pg_controldata", dataDirectory), "-D", dataDirectory.toString())));
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
        List<String> command = new ArrayList<>(List.of(tool("pg_verifybackup", dataDirectory), "--quiet"));
        if (skipChecksums) {
            command.add("--skip-checksums");
        }
        command.add(dataDirectory.toString());
        return run(command);
    }

    /** Hands a tree made for the server (a restored copy) to its OS user when this process runs as another (root). */
    public void handOver(Path dir) throws IOException {
        if (!switchesUser()) {
            return;
        }
        Result r = run(List.of("chown", "-R", spec.osUser() + ":", dir.toString()));
        if (r.exitCode() != 0) {
            throw new IOException("cannot hand " + dir + " to " + spec.osUser() + ": " + r.output().strip());
        }
    }

    /** The program of the data directory's own major version. */
    private String tool(String name, Path dataDirectory) {
        return programs.forDataDirectory(dataDirectory).resolve(name).toString();
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
        Path out = Files.createTempFile("stowage-pg-", ".out");
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
