package io.stowage.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server's start options (what {@link ServerControl#start} passes on to postgres): as last used, with a port. */
public final class StartOptions {
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    private StartOptions() {
    }

    /**
     * The options the server on {@code dataDirectory} was last started with (its postmaster.opts), without the
     * program and its {@code -D}: so a copy of it starts as its original did (port, sockets, settings). None when
     * the folder has no postmaster.opts (a server never started there).
     */
    public static List<String> read(Path dataDirectory) throws IOException {
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
}
