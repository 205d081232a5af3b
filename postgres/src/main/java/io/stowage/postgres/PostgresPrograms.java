package io.stowage.postgres;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Where PostgreSQL's programs are on this host, found by ONE rule in every service, so that on a host with several
 * major versions backup-service and restore-service run the same one:
 * <ol>
 * <li>{@code spec.postgres.binDirectory}, when the config sets it, as it is;</li>
 * <li>else the bin directory of the server's own major version, when it is known (what the running server answers
 * to {@code SHOW server_version_num}, or the {@code PG_VERSION} file of the data directory the programs act on):
 * {@code /usr/lib/postgresql/N/bin} (Debian, Ubuntu), then {@code /usr/pgsql-N/bin} (PGDG's packages);</li>
 * <li>else the newest major installed in those places;</li>
 * <li>else the first directory on {@code PATH}.</li>
 * </ol>
 * A directory counts only when it holds every program the caller runs. The server's own major comes first because
 * pg_basebackup refuses a server newer than itself and pg_ctl, pg_controldata and postgres refuse a data directory of
 * another major; the newest next because client programs work with older servers. Programs anywhere else are named
 * with {@code binDirectory}.
 */
public final class PostgresPrograms {
    /** Where PostgreSQL's packages put each major's programs, below the file system's root. */
    private static final List<Layout> LAYOUTS = List.of(new Layout("usr/lib/postgresql", ""),
            new Layout("usr", "pgsql-"));

    /** One installation folder per major: {@code <parent>/<prefix><major>/bin}. */
    private record Layout(String parent, String prefix) {
    }

    /** One major's bin directory. */
    private record Installed(int major, Path bin) {
    }

    private final String binDirectory;
    private final List<Installed> installed;
    private final Optional<Path> onPath;

    private PostgresPrograms(String binDirectory, List<Installed> installed, Optional<Path> onPath) {
        this.binDirectory = binDirectory;
        this.installed = installed;
        this.onPath = onPath;
    }

    /**
     * Looks for {@code programs} on this host (unless {@code binDirectory} names their place).
     *
     * @param binDirectory the config's {@code spec.postgres.binDirectory}, or null
     * @throws IllegalStateException when no directory the rule looks at holds them all
     */
    public static PostgresPrograms onThisHost(String binDirectory, String... programs) {
        return find(binDirectory, List.of(programs), Path.of("/"), System.getenv("PATH"));
    }

    /**
     * @param root the file system's root ({@code /} but in tests)
     * @param path the {@code PATH} variable, or null
     */
    static PostgresPrograms find(String binDirectory, List<String> programs, Path root, String path) {
        if (binDirectory != null) {
            return new PostgresPrograms(binDirectory, List.of(), Optional.empty());
        }
        List<Installed> installed = new ArrayList<>();
        for (Layout layout : LAYOUTS) {
            installed.addAll(installations(root.resolve(layout.parent()), layout.prefix(), programs));
        }
        // Newest first; a stable sort keeps Debian's folder before PGDG's for the same major.
        installed.sort(Comparator.comparingInt(Installed::major).reversed());
        Optional<Path> onPath = onPath(path, programs);
        if (installed.isEmpty() && onPath.isEmpty()) {
            throw new IllegalStateException("PostgreSQL's programs (" + String.join(", ", programs)
                    + ") not found: set spec.postgres.binDirectory (looked in "
                    + LAYOUTS.stream().map(l -> root.resolve(l.parent()).resolve(l.prefix() + "*").resolve("bin"))
                    .map(Path::toString).reduce((a, b) -> a + ", " + b).orElseThrow() + " and PATH)");
        }
        return new PostgresPrograms(null, List.copyOf(installed), onPath);
    }

    /** The directory for the server {@code connection} reaches; the server is asked its version only if need be. */
    public Path forServer(ServerConnection connection) {
        return directory(() -> MajorVersion.ofServer(connection));
    }

    /** The directory for programs that act on {@code dataDirectory}, by the major its PG_VERSION names. */
    public Path forDataDirectory(Path dataDirectory) {
        return directory(() -> MajorVersion.ofDataDirectory(dataDirectory));
    }

    /** The directory for a server of {@code major} (empty: unknown). */
    Path directory(OptionalInt major) {
        return directory(() -> major);
    }

    private Path directory(Supplier<OptionalInt> major) {
        if (binDirectory != null) {
            return Path.of(binDirectory);
        }
        OptionalInt wanted = installed.isEmpty() ? OptionalInt.empty() : major.get();
        if (wanted.isPresent()) {
            for (Installed i : installed) {
                if (i.major() == wanted.getAsInt()) {
                    return i.bin();
                }
            }
        }
        return installed.isEmpty() ? onPath.orElseThrow() : installed.get(0).bin();
    }

    private static List<Installed> installations(Path parent, String prefix, List<String> programs) {
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(parent)) {
            List<Installed> found = new ArrayList<>();
            for (Path child : (Iterable<Path>) children.sorted()::iterator) {
                String name = child.getFileName().toString();
                if (!name.startsWith(prefix)) {
                    continue;
                }
                OptionalInt major = MajorVersion.parse(name.substring(prefix.length()));
                Path bin = child.resolve("bin");
                if (major.isPresent() && holdsAll(bin, programs)) {
                    found.add(new Installed(major.getAsInt(), bin));
                }
            }
            return found;
        } catch (IOException e) {
            return List.of(); // an unreadable folder holds nothing we can run
        }
    }

    private static Optional<Path> onPath(String path, List<String> programs) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            try {
                if (!dir.isEmpty() && holdsAll(Path.of(dir), programs)) {
                    return Optional.of(Path.of(dir));
                }
            } catch (InvalidPathException e) {
                // not a path: PATH may hold anything
            }
        }
        return Optional.empty();
    }

    private static boolean holdsAll(Path dir, List<String> programs) {
        return programs.stream().allMatch(p -> Files.isExecutable(dir.resolve(p)));
    }
}
