package io.stowage.localstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds PostgreSQL 15's server programs (initdb, pg_ctl, postgres) and its client tools. */
final class PostgresBinaries {
    static final String PROPERTY = "stowage.postgres.bin";
    static final String ENV = "STOWAGE_POSTGRES_BIN";
    /** Where Debian's postgresql-15 puts them; pg_config on the PATH may belong to another major version. */
    static final Path DEBIAN = Path.of("/usr/lib/postgresql/15/bin");

    private PostgresBinaries() {
    }

    /** The bin directory: system property, environment variable, Debian's path, then {@code pg_config --bindir}. */
    static Path locate() {
        return locate(System.getProperty(PROPERTY), System.getenv(ENV), DEBIAN);
    }

    static Path locate(String property, String env, Path debian) {
        for (String candidate : new String[] {property, env}) {
            if (candidate != null && !candidate.isBlank() && holdsServer(Path.of(candidate))) {
                return Path.of(candidate).toAbsolutePath();
            }
        }
        if (holdsServer(debian)) {
            return debian;
        }
        String fromPgConfig = pgConfigBindir();
        if (fromPgConfig != null && holdsServer(Path.of(fromPgConfig))) {
            return Path.of(fromPgConfig);
        }
        throw new IllegalStateException("No PostgreSQL server programs (initdb, pg_ctl, postgres) found. Looked at:"
                + " system property " + PROPERTY + "=" + property + ", environment variable " + ENV + "=" + env
                + ", " + debian + ", and pg_config --bindir (" + fromPgConfig + "). Install them"
                + " (apt-get install postgresql-15) or point " + PROPERTY + " at PostgreSQL 15's bin directory.");
    }

    private static boolean holdsServer(Path dir) {
        return List.of("initdb", "pg_ctl", "postgres", "psql").stream()
                .allMatch(program -> Files.isExecutable(dir.resolve(program)));
    }

    private static String pgConfigBindir() {
        try {
            ExternalCommand.Result result = ExternalCommand.of(List.of("pg_config", "--bindir")).run();
            return result.exitCode() == 0 ? result.stdout().strip() : null;
        } catch (RuntimeException noPgConfig) {
            return null;
        }
    }
}
