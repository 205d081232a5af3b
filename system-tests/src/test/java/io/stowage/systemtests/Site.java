package io.stowage.systemtests;

import io.stowage.events.data.CatalogWal;
import io.stowage.localstack.PostgresCluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * One database cluster under protection: a PostgreSQL server with a table {@code ledger} of rows committed at known
 * moments, and its BackupConfig, a file in config-service's folder rewritten as GitOps would (atomically).
 */
final class Site implements AutoCloseable {
    final String cluster;
    final Path home;
    final PostgresCluster pg;
    private final Path configFolder;

    Site(String purpose, Path work, Path configFolder) throws IOException {
        this.cluster = purpose + "-" + UUID.randomUUID().toString().substring(0, 6);
        this.home = Files.createDirectories(work.resolve(cluster));
        this.configFolder = configFolder;
        this.pg = PostgresCluster.start(home.resolve("pg"));
        pg.psql("create table ledger (id int primary key, at text not null)");
    }

    Path storage(String name) throws IOException {
        return Files.createDirectories(home.resolve("storage-" + name));
    }

    /** Writes the cluster's BackupConfig with these storages (YAML, indented under {@code storages:}). */
    void configure(boolean pitr, String storages) throws IOException {
        String yaml = """
                apiVersion: stowage.io/v1alpha1
                kind: BackupConfig
                metadata:
                  name: %s
                spec:
                  postgres:
                    host: 127.0.0.1
                    port: %d
                    user: postgres
                    dataDirectory: %s
                    binDirectory: %s
                    osUser: %s
                  pitr: {enabled: %s}
                  storages:
                """.formatted(cluster, pg.port(), pg.dataDirectory(), pg.binDirectory(), pg.osUser(), pitr) + storages;
        Path tmp = configFolder.resolve("." + cluster + ".yaml.tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, configFolder.resolve(cluster + ".yaml"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    static String filesystem(String name, boolean main, Path path) {
        return "    %s:\n      main: %s\n      type: filesystem\n      filesystem: {path: '%s'}\n".formatted(name, main, path);
    }

    static String s3(String name, boolean main, String bucket, String endpoint, String secret) {
        return ("    %s:\n      main: %s\n      type: s3\n      s3: {bucket: %s, region: us-east-1, endpointUrl: '%s', "
                + "forcePathStyle: true, credentialsSecret: %s}\n").formatted(name, main, bucket, endpoint, secret);
    }

    /** Waits until backup-service streams the cluster's WAL (its replication slot is active). */
    void awaitArchiving() {
        await().atMost(Duration.ofSeconds(90)).until(() ->
                pg.psql("select count(*) from pg_replication_slots where active").equals("1"));
    }

    void commit(int id, String at) {
        pg.psql("insert into ledger values (" + id + ", '" + at + "')");
    }

    /** A time after every commit so far and before every later one, by the server's clock. */
    OffsetDateTime now() {
        return OffsetDateTime.parse(pg.psql(
                "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
    }

    String rows() {
        return pg.psql("select coalesce(string_agg(at, ',' order by id), '') from ledger");
    }

    /** Ends the current WAL segment and waits until the catalog lists it on {@code storage}; returns its name. */
    String archiveThrough(String storage, BusLog bus) {
        String segment = pg.psql("select pg_walfile_name(pg_current_wal_lsn())");
        pg.psql("select pg_switch_wal()");
        await().atMost(Duration.ofSeconds(90)).until(() -> bus.find(CatalogWal.class, w ->
                w.cluster().equals(cluster) && w.storage().equals(storage) && w.ranges() != null
                        && w.ranges().stream().anyMatch(r -> r.first().compareTo(segment) <= 0
                        && r.last().compareTo(segment) >= 0)).isPresent());
        return segment;
    }

    /** The rows of {@code ledger} on another server (a restored copy) on this machine. */
    static String rowsAt(int port) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "postgres", "");
             ResultSet rs = c.createStatement().executeQuery(
                     "select coalesce(string_agg(at, ',' order by id), '') from ledger")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Override
    public void close() {
        pg.close();
    }
}
