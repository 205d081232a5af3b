package io.stowage.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/** One run of a short-lived program (keytool, initdb, pg_ctl, psql) with its output captured and a time limit. */
final class ExternalCommand {
    /** What a finished run printed. */
    record Result(int exitCode, String stdout, String stderr) {
        /** Both streams, stderr first: that is where these programs say what went wrong. */
        String output() {
            return (stderr + stdout).strip();
        }
    }

    private final List<String> command;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Path directory;
    private String input = "";
    private Duration timeout = Duration.ofMinutes(2);

    private ExternalCommand(List<String> command) {
        this.command = List.copyOf(command);
    }

    static ExternalCommand of(List<String> command) {
        return new ExternalCommand(command);
    }

    ExternalCommand in(Path workingDirectory) {
        this.directory = workingDirectory;
        return this;
    }

    ExternalCommand environment(Map<String, String> variables) {
        environment.putAll(variables);
        return this;
    }

    ExternalCommand input(String text) {
        this.input = text;
        return this;
    }

    ExternalCommand timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /** Runs it to the end; a non-zero exit is the caller's to judge. */
    Result run() {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command.get(0), e);
        }
        // Both pipes drain on threads of their own: a program that fills one while we wait
        // on the other would block forever.
        FutureTask<String> stdout = drain(process.getInputStream(), "stdout");
        FutureTask<String> stderr = drain(process.getErrorStream(), "stderr");
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // It exited without reading its input; its exit code and stderr say why.
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly); // runuser's child, say
                process.destroyForcibly();
                throw new IllegalStateException(describe() + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(process.exitValue(), stdout.get(), stderr.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("Interrupted while running " + describe(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot read the output of " + describe(), e.getCause());
        }
    }

    /** Runs it and returns its stdout; a non-zero exit throws with everything it printed. */
    String runOrThrow() {
        Result result = run();
        if (result.exitCode() != 0) {
            throw new IllegalStateException(
                    describe() + " failed (exit " + result.exitCode() + "):\n" + result.output());
        }
        return result.stdout();
    }

    private String describe() {
        return String.join(" ", command);
    }

    private FutureTask<String> drain(InputStream stream, String name) {
        FutureTask<String> task = new FutureTask<>(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
        Thread thread = new Thread(task, Path.of(command.get(0)).getFileName() + "-" + name);
        thread.setDaemon(true);
        thread.start();
        return task;
    }
}
