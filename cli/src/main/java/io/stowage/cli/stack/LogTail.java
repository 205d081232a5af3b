package io.stowage.cli.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The last lines of a log file, shown when something did not start so that nobody has to go and open it. */
public final class LogTail {
    private LogTail() {
    }

    public static List<String> last(Path file, int lines) {
        try {
            // Malformed bytes become U+FFFD: a log cut mid-character must still be shown.
            List<String> all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
        }
    }
}
