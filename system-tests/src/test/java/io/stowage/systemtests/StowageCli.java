package io.stowage.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The packaged {@code stowage} command ({@code cli/target/stowage-cli.jar}) run as its own process, as a person runs
 * it, in a folder of its own: what it printed and how it ended.
 */
final class StowageCli {
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** One run: its exit code, its standard output and its standard error. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private final Path dir;
    private final Map<String, String> environment;

    /**
     * @param dir         its working directory and {@code --home}: nothing it writes lands in the repository
     * @param environment added to the environment it runs in (e.g. {@code STOWAGE_KAFKA_CONFIG})
     */
    StowageCli(Path dir, Map<String, String> environment) {
        this.dir = dir;
        this.environment = environment;
    }

    static Path jar() {
        return Path.of("..", "cli", "target", "stowage-cli.jar").toAbsolutePath().normalize();
    }

    /**
     * Runs {@code stowage <args> --home <dir>/home} and waits for it, at most {@code timeout}: the local stack's
     * default state folder is the repository's, which is no test's to touch.
     */
    Result run(Duration timeout, String... args) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar())) {
            throw new IllegalStateException(jar() + " is missing: build the cli module first");
        }
        Files.createDirectories(dir);
        int run = RUNS.incrementAndGet();
        Path out = dir.resolve("run-" + run + ".out");
        Path err = dir.resolve("run-" + run + ".err");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--home", dir.resolve("home").toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("STOWAGE_KAFKA_CONFIG");
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("stowage " + String.join(" ", args) + " did not end within " + timeout.toSeconds()
                    + " s; it printed:\n" + Files.readString(out) + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
