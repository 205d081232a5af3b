package io.stowage.postgres;

import io.stowage.events.spec.PostgresSpec;
import io.stowage.localstack.PostgresCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** pg_ctl, pg_controldata and the server's version, on a real PostgreSQL 15 cluster, with the programs the rule finds. */
class ServerControlIT {

    @TempDir
    Path work;

    @Test
    void theServerAndItsDataDirectoryLeadToTheSameProgramsWhichStopAndStartIt() throws Exception {
        try (PostgresCluster pg = PostgresCluster.start(work.resolve("pg"))) {
            Path data = pg.dataDirectory();
            PostgresSpec spec = new PostgresSpec(pg.host(), pg.port(), pg.user(), null, data.toString(), null,
                    pg.osUser());
            ServerConnection sql = new ServerConnection(spec, null, "stowage-it", Duration.ofSeconds(5));

            assertThat(MajorVersion.ofServer(sql)).hasValue(15);
            assertThat(MajorVersion.ofDataDirectory(data)).hasValue(15);
            Path forBackups = PostgresPrograms.onThisHost(null, "pg_basebackup", "psql").forServer(sql);
            Path forRestores = PostgresPrograms.onThisHost(null, "pg_ctl", "pg_controldata", "pg_verifybackup")
                    .forDataDirectory(data);
            assertThat(forBackups).isEqualTo(forRestores);

            ServerControl control = new ServerControl(spec);
            assertThat(control.isRunning(data)).isTrue();
            assertThat(control.checkpointTimeline(data)).isEqualTo(1);
            List<String> options = StartOptions.read(data);
            assertThat(options).isNotEmpty();

            control.stop(data);
            assertThat(control.isRunning(data)).isFalse();
            assertThat(MajorVersion.ofServer(sql)).isEmpty();

            control.start(data, options, pg.logFile().resolveSibling("restarted.log"));
            assertThat(control.isRunning(data)).isTrue();
            assertThat(pg.psql("select 1").strip()).isEqualTo("1");
        }
    }
}
