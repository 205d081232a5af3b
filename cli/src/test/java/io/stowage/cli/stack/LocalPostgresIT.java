package io.stowage.cli.stack;

import io.stowage.cli.Cli;
import io.stowage.localstack.PostgresCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's PostgreSQL for real (PostgreSQL 15's programs, as root through runuser): made once with sample data,
 * then run detached by pg_ctl, found again from its pid file, and stopped by {@code down}.
 */
class LocalPostgresIT {
    @TempDir
    Path dir;

    private StowageHome home;

    @AfterEach
    void stopIt() {
        if (home != null) {
            new LocalPostgres(home, "demo").stop();
        }
    }

    @Test
    void madeOnceThenRunDetachedUntilDownStopsIt() throws Exception {
        home = new StowageHome(dir.resolve("home")).ensureLayout();
        LocalPostgres pg = new LocalPostgres(home, LocalStack.DEMO_POSTGRES);
        List<String> said = new ArrayList<>();

        LocalPostgres.Settings settings = pg.create(1_000, said::add);

        assertThat(said).containsExactly("adding 1000 rows of sample data to table " + PostgresCluster.SAMPLE_TABLE
                + "...");
        assertThat(pg.exists()).isTrue();
        assertThat(pg.settings()).contains(settings);
        // PostgresCluster stopped what it started: from here on the server is ours to run.
        assertThat(pg.running()).isEmpty();

        LocalPostgres.Running running = pg.start();

        assertThat(running.port()).isEqualTo(settings.port());
        assertThat(pg.running()).contains(running);
        assertThat(psql(settings, running.port(), "select count(*) from " + PostgresCluster.SAMPLE_TABLE))
                .isEqualTo("1000");
        // pg_ctl detached it: its own session, not a child of this JVM.
        ProcessHandle postmaster = ProcessHandle.of(running.pid()).orElseThrow();
        assertThat(ProcessHandle.current().descendants().map(ProcessHandle::pid)).doesNotContain(running.pid());

        // No broker, no S3 server, no service jars in this project: down stops the database alone.
        System.setProperty(ProjectDir.PROPERTY, dir.resolve("project").toString());
        Cli.Result down;
        try {
            down = Cli.run("down", "--home", home.root().toString());
        } finally {
            System.clearProperty(ProjectDir.PROPERTY);
        }

        assertThat(down.exitCode()).as(down.err()).isZero();
        assertThat(down.lines()).containsExactly("PostgreSQL (demo): stopped (pid " + running.pid()
                + ", pg_ctl stop -m fast)");
        assertThat(postmaster.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
        assertThat(pg.running()).isEmpty();

        // Started again after down: the same port, the same rows.
        LocalPostgres.Running again = pg.start();
        assertThat(again.port()).isEqualTo(settings.port());
        assertThat(psql(settings, again.port(), "select count(*) from " + PostgresCluster.SAMPLE_TABLE))
                .isEqualTo("1000");
        assertThat(pg.stop()).isTrue();
        assertThat(pg.stop()).isFalse();
    }

    private static String psql(LocalPostgres.Settings settings, int port, String sql)
            throws IOException, InterruptedException {
        Process psql = new ProcessBuilder(settings.binDirectory().resolve("psql").toString(), "-X", "-A", "-t",
                "-h", LocalPostgres.HOST, "-p", Integer.toString(port), "-U", LocalPostgres.USER, "-c", sql)
                .redirectErrorStream(true).start();
        String output = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(psql.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(psql.exitValue()).as(output).isZero();
        return output;
    }
}
