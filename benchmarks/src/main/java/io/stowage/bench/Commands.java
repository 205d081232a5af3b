package io.stowage.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** External commands and file trees, for the benchmarks: run, time, measure, delete. */
final class Commands {

    /** What a command did: exit code, combined output, wall-clock nanoseconds from start to exit. */
    record Result(int exitCode, String output, long nanos) {
        Result orThrow(List<String> command) {
            if (exitCode != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + exitCode + "):\n"
                        + output.strip());
            }
            return this;
        }

        double seconds() {
            return nanos / 1e9;
        }
    }

    private Commands() {
    }

    /** Runs a command (stdout and stderr together), timed from just before start to its exit. */
    static Result run(List<String> command, Map<String, String> env, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        long start = System.nanoTime();
        try {
            Process p = builder.start();
            p.getOutputStream().close();
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    synchronized (out) {
                        out.append(text);
                    }
                } catch (IOException ignored) {
                    // The process went away; what was read is kept.
                }
            }, "output-" + Path.of(command.get(0)).getFileName());
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            long nanos = System.nanoTime() - start;
            reader.join(10_000);
            synchronized (out) {
                return new Result(p.exitValue(), out.toString(), nanos);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    static Result runOrThrow(List<String> command, Map<String, String> env, Duration timeout) {
        return run(command, env, timeout).orThrow(command);
    }

    /** Flushes dirty pages so that one run's writeback does not land in the next run's time. */
    static void sync() {
        run(List.of("sync"), Map.of(), Duration.ofMinutes(2));
    }

    /** Sum of the sizes of the regular files under a directory (0 if it does not exist). */
    static long treeBytes(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException gone) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
