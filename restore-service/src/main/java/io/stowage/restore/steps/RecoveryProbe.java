package io.stowage.restore.steps;

import io.stowage.postgres.ServerConnection;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Asks a restored server how its recovery goes, on one connection kept open between questions: opened on the first
 * question, and again after a failed one.
 */
public final class RecoveryProbe implements AutoCloseable {
    /** Recovery as the server reports it. */
    public record Status(boolean inRecovery, long replayLsn) {
    }

    private final ServerConnection server;
    private final int port;
    private Connection connection;

    /** @param port where the restored server listens (on the cluster's host) */
    public RecoveryProbe(ServerConnection server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Whether the server is still recovering, and how far it has replayed. */
    public Status status() throws SQLException {
        try {
            if (connection == null) {
                connection = server.open(port);
            }
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("select pg_is_in_recovery(), "
                         + "coalesce(pg_last_wal_replay_lsn(), '0/0'::pg_lsn) - '0/0'::pg_lsn")) {
                rs.next();
                return new Status(rs.getBoolean(1), rs.getLong(2));
            }
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    /** Runs one query on a connection of its own and returns the first column of the first row. */
    public String queryOne(String sql) throws SQLException {
        try (Connection c = server.open(port); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the server went away: nothing to close
            }
            connection = null;
        }
    }
}
