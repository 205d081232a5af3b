package io.stowage.backup.postgres;

import io.stowage.events.spec.PostgresSpec;
import io.stowage.postgres.PostgresPrograms;
import io.stowage.postgres.ServerConnection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Where PostgreSQL's client tools are and how to reach a cluster with them (password from its secret). */
public final class PostgresTools {
    /** What a backup runs: pg_basebackup, and psql to ask the server's facts first. */
    private static final String[] PROGRAMS = {"pg_basebackup", "psql"};
    private static final String APPLICATION = "stowage";

    private final PostgresSpec spec;
    private final ServerConnection server;
    private final Path binDirectory;
    private final String password;

    /**
     * Finds the programs of the server's own major version (see {@link PostgresPrograms}), asking the server for it
     * when the config names no {@code binDirectory}.
     *
     * @param password the password read from {@code passwordSecret}, or null: passed in the environment only
     */
    public PostgresTools(PostgresSpec spec, String password) {
        this.spec = spec;
        this.password = password;
        this.server = new ServerConnection(spec, password, APPLICATION, Duration.ofSeconds(10));
        this.binDirectory = PostgresPrograms.onThisHost(spec.binDirectory(), PROGRAMS).forServer(server);
    }

    public Path tool(String name) {
        return binDirectory.resolve(name);
    }

    /** The connection options every tool takes. */
    public List<String> connection() {
        return List.of("-h", spec.host(), "-p", String.valueOf(server.port()), "-U", spec.user());
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
        env.put("PGAPPNAME", APPLICATION);
        return pb;
    }
}
