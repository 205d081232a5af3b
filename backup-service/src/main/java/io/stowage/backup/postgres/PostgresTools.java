package io.stowage.backup.postgres;

import io.stowage.events.spec.PostgresSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where PostgreSQL's client tools are and how to reach a cluster with them (password from its secret). */
public final class PostgresTools {
    static final List<Path> KNOWN_BIN_DIRS = List.of(Path.of("/usr/lib/postgresql/15/bin"),
            Path.of("/usr/lib/postgresql/16/bin"), Path.of("/usr/lib/postgresql/17/bin"), Path.of("/usr/pgsql-15/bin"));

    private final PostgresSpec spec;
    private final Path binDirectory;
    private final String password;

    /** @param password the password read from {@code passwordSecret}, or null: passed in the environment only */
    public PostgresTools(PostgresSpec spec, String password) {
        this.spec = spec;
        this.password = password;
        this.binDirectory = spec.binDirectory() != null ? Path.of(spec.binDirectory()) : findBinDirectory()
                .orElseThrow(() -> new IllegalStateException("PostgreSQL client tools not found: set "
                        + "spec.postgres.binDirectory (looked in " + KNOWN_BIN_DIRS + " and PATH)"));
    }

    static Optional<Path> findBinDirectory() {
        for (Path dir : KNOWN_BIN_DIRS) {
            if (Files.isExecutable(dir.resolve("pg_basebackup"))) {
                return Optional.of(dir);
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (Files.isExecutable(Path.of(dir, "pg_basebackup"))) {
                    return Optional.of(Path.of(dir));
                }
            }
        }
        return Optional.empty();
    }

    public Path tool(String name) {
        return binDirectory.resolve(name);
    }

    /** The connection options every tool takes. */
    public List<String> connection() {
        return List.of("-h", spec.host(), "-p", String.valueOf(spec.port() == null ? 5432 : spec.port()),
                "-U", spec.user());
    }

    /** A process builder for a tool, with the password in its environment (never on its command line). */
    public ProcessBuilder builder(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.remove("PGPASSWORD");
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        env.put("PGCONNECT_TIMEOUT", "10");
        env.put("PGAPPNAME", "stowage");
        return pb;
    }
}
