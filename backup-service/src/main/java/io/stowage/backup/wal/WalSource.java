package io.stowage.backup.wal;

import io.stowage.events.spec.PostgresSpec;
import io.stowage.postgres.ServerConnection;
import io.stowage.postgres.WalSegments;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A cluster's primary as the WAL archiver sees it: facts and the replication slot over SQL, the WAL itself over the
 * streaming replication protocol. The password comes from the cluster's secret and goes only to the driver.
 */
public final class WalSource implements AutoCloseable {
    private final ServerConnection server;
    private final Connection sql;

    private WalSource(ServerConnection server, Connection sql) {
        this.server = server;
        this.sql = sql;
    }

    /** Opens the SQL connection. */
    public static WalSource connect(PostgresSpec spec, String password) throws SQLException {
        ServerConnection server = new ServerConnection(spec, password, "stowage-wal-archiver", Duration.ofSeconds(10));
        return new WalSource(server, server.open());
    }

    /** The WAL segment size of the cluster, in bytes ({@code initdb --wal-segsize}). */
    public long segmentSize() throws SQLException {
        return queryLong("SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'");
    }

    /** The timeline the server writes WAL on now. */
    public long timeline() throws SQLException {
        return Long.parseLong(queryString("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"), 16);
    }

    /**
     * The slot's restart LSN (the oldest WAL the server keeps for it: everything before was confirmed durable),
     * creating the slot, reserving WAL at once, when it does not exist.
     */
    public SlotPosition ensureSlot(String slot) throws SQLException {
        Optional<String> restart = slotRestartLsn(slot);
        if (restart.isPresent()) {
            return new SlotPosition(WalSegments.parseLsn(restart.get()), false);
        }
        try (PreparedStatement st = sql.prepareStatement(
                "SELECT lsn::text FROM pg_create_physical_replication_slot(?, true)")) {
            st.setString(1, slot);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new SlotPosition(WalSegments.parseLsn(rs.getString(1)), true);
            }
        }
    }

    /** Where a slot stands, and whether it was created just now. */
    public record SlotPosition(long restartLsn, boolean created) {
    }

    /** Moves an idle slot forward to {@code lsn} (never back). */
    public void advanceSlot(String slot, long lsn) throws SQLException {
        Optional<String> restart = slotRestartLsn(slot);
        if (restart.isEmpty() || WalSegments.parseLsn(restart.get()) >= lsn) {
            return;
        }
        try (PreparedStatement st = sql.prepareStatement("SELECT pg_replication_slot_advance(?, ?::pg_lsn)")) {
            st.setString(1, slot);
            st.setString(2, WalSegments.formatLsn(lsn));
            st.execute();
        }
    }

    Optional<String> slotRestartLsn(String slot) throws SQLException {
        try (PreparedStatement st = sql.prepareStatement(
                "SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = ? AND slot_type = 'physical'")) {
            st.setString(1, slot);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * Ends the current WAL segment ({@code pg_switch_wal()}) and returns the position up to which the WAL is now in
     * complete segments.
     */
    public long switchWal() throws SQLException {
        return WalSegments.parseLsn(queryString("SELECT pg_switch_wal()::text"));
    }

    /** The history file of a timeline (timelines after the first have one), read from the server's pg_wal. */
    public Optional<byte[]> timelineHistory(long timeline) throws SQLException {
        if (timeline <= 1) {
            return Optional.empty();
        }
        try (PreparedStatement st = sql.prepareStatement("SELECT pg_read_binary_file(?, 0, 1048576, true)")) {
            st.setString(1, "pg_wal/" + WalSegments.historyFileName(timeline));
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getBytes(1)) : Optional.empty();
            }
        }
    }

    /** Where the given timeline branched off its parent, from its history file's last line. */
    public static Optional<Long> switchPoint(byte[] history) {
        String[] lines = new String(history, StandardCharsets.UTF_8).strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String[] fields = lines[i].strip().split("\\s+");
            if (fields.length >= 2 && !fields[0].startsWith("#")) {
                return Optional.of(WalSegments.parseLsn(fields[1]));
            }
        }
        return Optional.empty();
    }

    /** Starts streaming from {@code start} (a segment boundary) through the slot, on a connection of its own. */
    public WalStream stream(String slot, long start) throws SQLException {
        // Physical replication does not depend on the database the connection names.
        Properties p = server.properties();
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        Connection replication = DriverManager.getConnection(server.url(server.port()), p);
        try {
            PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().physical()
                    .withSlotName(slot)
                    .withStartPosition(LogSequenceNumber.valueOf(start))
                    .withStatusInterval(1, TimeUnit.SECONDS)
                    .start();
            return new WalStream(replication, stream);
        } catch (SQLException | RuntimeException e) {
            replication.close();
            throw e;
        }
    }

    private long queryLong(String query) throws SQLException {
        return Long.parseLong(queryString(query));
    }

    private String queryString(String query) throws SQLException {
        try (Statement st = sql.createStatement(); ResultSet rs = st.executeQuery(query)) {
            if (!rs.next()) {
                throw new SQLException("no result for: " + query);
            }
            return rs.getString(1);
        }
    }

    @Override
    public void close() {
        try {
            sql.close();
        } catch (SQLException e) {
            // the connection is going away either way
        }
    }

    /** WAL as it streams: chunks at known positions, and the feedback that advances the slot. */
    public static final class WalStream implements AutoCloseable {
        private final Connection connection;
        private final PGReplicationStream stream;
        private static final long MAX_IDLE_MS = 100;
        private long idleMillis = 1;

        WalStream(Connection connection, PGReplicationStream stream) {
            this.connection = connection;
            this.stream = stream;
        }

        /**
         * The next WAL bytes (ending at {@link #lastEnd()}), or null after a short wait when none came, so that the
         * caller can tell the server more before the next read. Not pgjdbc's blocking {@code read()}: that sends the
         * reply a server's keepalive asks for only once the next message arrives, and a server shutting down sends
         * none until it has that reply (it then waits {@code wal_sender_timeout}, 60 s, before it stops).
         * {@code readPending()} answers a keepalive as soon as nothing more is waiting. The wait grows from 1 ms to
         * {@value #MAX_IDLE_MS} ms while the stream is idle, so an idle archiver wakes a few times a second.
         */
        public ByteBuffer read() throws SQLException {
            ByteBuffer chunk = stream.readPending();
            if (chunk != null) {
                idleMillis = 1;
                return chunk;
            }
            try {
                Thread.sleep(idleMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for WAL", e);
            }
            idleMillis = Math.min(MAX_IDLE_MS, idleMillis * 2);
            return null;
        }

        /** The position just after the last chunk read. */
        public long lastEnd() {
            return stream.getLastReceiveLSN().asLong();
        }

        /** Tells the server everything before {@code lsn} is durable, so the slot may let it go. */
        public void confirm(long lsn) {
            LogSequenceNumber position = LogSequenceNumber.valueOf(lsn);
            stream.setFlushedLSN(position);
            stream.setAppliedLSN(position);
        }

        /** Cuts the connection from another thread: a blocked {@link #read()} fails at once. */
        public void abort() {
            try {
                connection.abort(Runnable::run);
            } catch (SQLException e) {
                // already gone
            }
        }

        @Override
        public void close() {
            try {
                stream.close();
            } catch (SQLException e) {
                // closing anyway
            }
            try {
                connection.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
    }
}
