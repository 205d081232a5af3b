package io.stowage.postgres;

import io.stowage.events.spec.PostgresSpec;
import org.postgresql.PGProperty;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/**
 * How Stowage reaches a cluster over JDBC: its spec's host, port and user, the database {@code postgres}, an
 * application name that tells Stowage's sessions apart in pg_stat_activity, and the password (read from the
 * cluster's secret) given to the driver only.
 */
public final class ServerConnection {
    /** The database the connections name: every cluster has it, and what Stowage asks does not depend on it. */
    public static final String DATABASE = "postgres";
    private static final int DEFAULT_PORT = 5432;

    private final PostgresSpec spec;
    private final String password;
    private final String application;
    private final Duration connectTimeout;

    /** @param password the password from the cluster's secret, or null: none is sent */
    public ServerConnection(PostgresSpec spec, String password, String application, Duration connectTimeout) {
        this.spec = spec;
        this.password = password;
        this.application = application;
        this.connectTimeout = connectTimeout;
    }

    /** The server's port: the spec's, 5432 when it names none. */
    public int port() {
        return spec.port() == null ? DEFAULT_PORT : spec.port();
    }

    /** The JDBC URL of a server on the spec's host and {@code port}. */
    public String url(int port) {
        return "jdbc:postgresql://" + spec.host() + ":" + port + "/" + DATABASE;
    }

    /** The driver's properties: user, password, application name, connect timeout; a caller may add its own. */
    public Properties properties() {
        Properties p = new Properties();
        PGProperty.USER.set(p, spec.user());
        if (password != null) {
            PGProperty.PASSWORD.set(p, password);
        }
        PGProperty.APPLICATION_NAME.set(p, application);
        PGProperty.CONNECT_TIMEOUT.set(p, (int) Math.max(1, connectTimeout.toSeconds()));
        return p;
    }

    /** A connection to the server. */
    public Connection open() throws SQLException {
        return open(port());
    }

    /** A connection to a server on the spec's host and another port (a restored copy beside the cluster). */
    public Connection open(int port) throws SQLException {
        return DriverManager.getConnection(url(port), properties());
    }

    @Override
    public String toString() {
        return spec.user() + "@" + spec.host() + ":" + port() + " as " + application; // never the password
    }
}
