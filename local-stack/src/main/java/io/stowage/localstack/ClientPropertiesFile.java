package io.stowage.localstack;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Kafka client properties as a Java properties file: what Kafka's own tools take with {@code --command-config}, and
 * how a later process (the CLI) finds how to connect to a broker another one started.
 */
public final class ClientPropertiesFile {
    private ClientPropertiesFile() {
    }

    /**
     * Writes them readable by the owner only (they may hold a password), sorted, one {@code key=value} a line, with
     * a comment line first.
     */
    public static void write(Map<String, String> properties, Path file, String comment) {
        StringBuilder text = new StringBuilder();
        comment.lines().forEach(line -> text.append("# ").append(line).append('\n'));
        new TreeMap<>(properties).forEach((key, value) ->
                text.append(escape(key, true)).append('=').append(escape(value, false)).append('\n'));
        try {
            LocalFiles.writePrivate(file, text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write Kafka client properties to " + file, e);
        }
    }

    public static Map<String, String> read(Path file) {
        Properties loaded = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            loaded.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Kafka client properties from " + file, e);
        }
        Map<String, String> properties = new LinkedHashMap<>();
        new TreeMap<>(loaded).forEach((key, value) -> properties.put((String) key, (String) value));
        return properties;
    }

    // Only what Properties.load would misread: a JAAS line (with '=' and '"') stays as readable as it was.
    private static String escape(String text, boolean key) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '=', ':', ' ' -> out.append(key || (c == ' ' && i == 0) ? "\\" + c : String.valueOf(c));
                // Kafka's tools load the file as ISO-8859-1: anything beyond ASCII is written as a Unicode escape.
                default -> out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.toString();
    }
}
