package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

import com.sun.security.auth.module.UnixSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real PostgreSQL 15 clusters as backup and restore tests use them. */
class PostgresClusterIT {
    @TempDir
    Path tmp;

    @Test
    void itRunsAsAnUnprivilegedUserWithChecksumsAndAnswersPsql() throws IOException {
        try (PostgresCluster cluster = PostgresCluster.start(tmp.resolve("pg"))) {
            String serverUser = ProcessHandle.of(cluster.postmasterPid()).orElseThrow().info().user().orElseThrow();
            boolean root = new UnixSystem().getUid() == 0;

            assertThat(serverUser).isEqualTo(cluster.osUser()).isNotEqualTo("root");
            assertThat(cluster.osUser()).isEqualTo(root ? "postgres" : System.getProperty("user.name"));
            assertThat(cluster.psql("select 1 + 1")).isEqualTo("2");
            assertThat(cluster.psql("show data_checksums; show wal_level; show fsync"))
                    .isEqualTo("on\nreplica\non");
            assertThat(cluster.psql("show listen_addresses")).isEqualTo("127.0.0.1");
            assertThat(cluster.psql("show port")).isEqualTo(String.valueOf(cluster.port()));
            assertThatThrownBy(() -> cluster.psql("select 1; select * from no_such_table"))
                    .hasMessageContaining("relation \"no_such_table\" does not exist");
        }
    }

    @Test
    void pgbenchAndSampleDataFillIt() {
        try (PostgresCluster cluster = PostgresCluster.start(tmp.resolve("pg"))) {
            cluster.pgbench("-i", "-s", "1", "-q");
            cluster.createSampleData(1_000);
            cluster.createSampleData(500);

            assertThat(cluster.psql("select count(*) from pgbench_accounts")).isEqualTo("100000");
            assertThat(cluster.psql("select count(*), min(id), max(id), min(length(payload)) from "
                    + PostgresCluster.SAMPLE_TABLE)).isEqualTo("1500|1|1500|64");
            assertThat(cluster.checksum(PostgresCluster.SAMPLE_TABLE)).matches("[0-9a-f]{32}");
        }
    }

    @Test
    void stopAndStartKeepTheDataAndThePort() {
        try (PostgresCluster cluster = PostgresCluster.start(tmp.resolve("pg"))) {
            cluster.createSampleData(1_000);
            String checksum = cluster.checksum(PostgresCluster.SAMPLE_TABLE);
            int port = cluster.port();

            cluster.stop();
            assertThat(cluster.isRunning()).isFalse();
            assertThatThrownBy(() -> cluster.psql("select 1")).isInstanceOf(IllegalStateException.class);

            cluster.start();
            assertThat(cluster.isRunning()).isTrue();
            assertThat(cluster.port()).isEqualTo(port);
            assertThat(cluster.checksum(PostgresCluster.SAMPLE_TABLE)).isEqualTo(checksum);

            cluster.psql("insert into " + PostgresCluster.SAMPLE_TABLE + " values (0, 'committed before the crash')");
            cluster.crash();
            cluster.start();
            assertThat(cluster.psql("select payload from " + PostgresCluster.SAMPLE_TABLE + " where id = 0"))
                    .isEqualTo("committed before the crash");
        }
    }

    @Test
    void aCopyOfAStoppedDataDirectoryRunsBesideItsOriginal() throws IOException {
        try (PostgresCluster original = PostgresCluster.start(tmp.resolve("original"))) {
            original.createSampleData(2_000);
            String checksum = original.checksum(PostgresCluster.SAMPLE_TABLE);
            original.stop();
            Path copy = copyTree(original.dataDirectory(), tmp.resolve("copy").resolve("data"));
            original.start();

            try (PostgresCluster restored = PostgresCluster.startExisting(copy, tmp.resolve("copy-work"))) {
                assertThat(restored.port()).isNotEqualTo(original.port());
                assertThat(restored.dataDirectory()).isEqualTo(copy);
                assertThat(restored.checksum(PostgresCluster.SAMPLE_TABLE)).isEqualTo(checksum);

                restored.createSampleData(1);
                assertThat(restored.checksum(PostgresCluster.SAMPLE_TABLE)).isNotEqualTo(checksum);
                assertThat(original.checksum(PostgresCluster.SAMPLE_TABLE)).isEqualTo(checksum);
            }
        }
    }

    @Test
    void aBaseBackupTakenOverAReplicationConnectionStartsAsARestoredCluster() {
        try (PostgresCluster source = PostgresCluster.start(tmp.resolve("source"))) {
            source.createSampleData(2_000);
            String checksum = source.checksum(PostgresCluster.SAMPLE_TABLE);
            Path restoredData = tmp.resolve("restored").resolve("data");

            // Run as this JVM's user (root in CI): the files come out owned by it, as a restore unpacks them.
            ExternalCommand.of(List.of(source.binDirectory().resolve("pg_basebackup").toString(),
                            "-D", restoredData.toString(), "-Fp", "-X", "stream", "-c", "fast"))
                    .environment(source.clientEnvironment()).runOrThrow();

            try (PostgresCluster restored = PostgresCluster.startExisting(restoredData, tmp.resolve("restored-work"))) {
                assertThat(restored.checksum(PostgresCluster.SAMPLE_TABLE)).isEqualTo(checksum);
                assertThat(restored.psql("select pg_is_in_recovery()")).isEqualTo("f");
            }
        }
    }

    private static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }
}
