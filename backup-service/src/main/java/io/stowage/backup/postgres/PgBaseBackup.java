package io.stowage.backup.postgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pg_basebackup writing ONE tar stream to its stdout: the data directory with the WAL needed to make it
 * consistent ({@code -X fetch}) and PostgreSQL's own {@code backup_manifest} inside, so the archive restores on
 * its own and {@code pg_verifybackup} checks it. The WAL range is read from its verbose output.
 */
public final class PgBaseBackup implements AutoCloseable {
    private static final Pattern START = Pattern.compile("write-ahead log start point: ([0-9A-F]+/[0-9A-F]+) on timeline (\\d+)");
    private static final Pattern END = Pattern.compile("write-ahead log end point: ([0-9A-F]+/[0-9A-F]+)");
    private static final int KEPT_LINES = 40;

    private final Process process;
    private final Thread stderrReader;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private volatile String startLsn;
    private volatile String stopLsn;
    private volatile long timeline;

    private PgBaseBackup(Process process) {
        this.process = process;
        this.stderrReader = new Thread(this::readStderr, "pg_basebackup-stderr");
        stderrReader.setDaemon(true);
        stderrReader.start();
    }

    /** Starts it; the tar stream is {@link #stream()}. */
    public static PgBaseBackup start(PostgresTools tools, String label, String maxRate) throws IOException {
        List<String> command = new ArrayList<>(List.of(tools.tool("pg_basebackup").toString()));
        command.addAll(tools.connection());
        command.addAll(List.of("-D", "-", "-F", "tar", "-X", "fetch", "--checkpoint=fast", "--verbose",
                "--label=" + label));
        if (maxRate != null && !maxRate.isBlank()) {
            command.add("--max-rate=" + maxRate);
        }
        return new PgBaseBackup(tools.builder(command).start());
    }

    public InputStream stream() {
        return process.getInputStream();
    }

    /** Waits for the end; throws with pg_basebackup's own words when it failed. */
    public void awaitSuccess() throws IOException, InterruptedException {
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("pg_basebackup did not finish 10 minutes after its output ended");
        }
        stderrReader.join(10_000);
        if (process.exitValue() != 0) {
            throw new IOException("pg_basebackup failed (exit " + process.exitValue() + "): " + errors());
        }
        if (startLsn == null || stopLsn == null) {
            throw new IOException("pg_basebackup did not report its WAL range: " + errors());
        }
    }

    public String startLsn() {
        return startLsn;
    }

    public String stopLsn() {
        return stopLsn;
    }

    public long timeline() {
        return timeline;
    }

    /** pg_basebackup's error lines (its progress chatter left out). */
    public synchronized String errors() {
        List<String> errors = lastLines.stream().filter(l -> l.contains("error") || l.contains("FATAL")
                || l.contains("could not")).toList();
        return String.join(" | ", errors.isEmpty() ? List.copyOf(lastLines) : errors);
    }

    private void readStderr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Matcher s = START.matcher(line);
                if (s.find()) {
                    startLsn = s.group(1);
                    timeline = Long.parseLong(s.group(2));
                }
                Matcher e = END.matcher(line);
                if (e.find()) {
                    stopLsn = e.group(1);
                }
                synchronized (this) {
                    lastLines.addLast(line);
                    if (lastLines.size() > KEPT_LINES) {
                        lastLines.removeFirst();
                    }
                }
            }
        } catch (IOException ignored) {
            // The process ended; what was read is kept.
        }
    }

    /** Stops it if it still runs (a failed or cancelled backup). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
