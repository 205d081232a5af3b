package io.stowage.cli.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The arguments a process was started with. Pids are reused after a process exits, so a pid file alone
 * could point at someone else's process; only one running our jar is ours to report or to stop.
 */
final class ProcessCommandLine {
    private ProcessCommandLine() {
    }

    /** Whether the live process {@code pid} runs {@code java ... -jar <jar>}. */
    static boolean runsJar(long pid, Path jar) {
        return of(pid).map(args -> runsJar(args, jar)).orElse(false);
    }

    static boolean runsJar(List<String> args, Path jar) {
        int at = args.indexOf("-jar");
        return at >= 0 && at + 1 < args.size() && Path.of(args.get(at + 1)).equals(jar);
    }

    /**
     * The arguments from {@code /proc/<pid>/cmdline} (NUL-separated, exact even with spaces in paths), or from
     * the JDK where there is no /proc; empty when the process is gone or not readable.
     */
    static Optional<List<String>> of(long pid) {
        Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
        if (Files.isDirectory(Path.of("/proc", "self"))) {
            try {
                String raw = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
                return raw.isEmpty() ? Optional.empty() : Optional.of(Arrays.asList(raw.split("\0")));
            } catch (IOException gone) {
                return Optional.empty();
            }
        }
        return ProcessHandle.of(pid).flatMap(p -> p.info().arguments())
                .map(args -> Arrays.asList(args));
    }
}
