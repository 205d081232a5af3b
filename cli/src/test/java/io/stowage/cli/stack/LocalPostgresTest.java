package io.stowage.cli.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LocalPostgresTest {
    @TempDir
    Path home;

    @Test
    void thePidAndThePortComeFromPostmasterPid() {
        List<String> pidFile = List.of("4711", "/srv/pg/data", "1763780000", "54321", "/srv/pg/sockets", "127.0.0.1",
                "  5432001    32768", "ready   ");

        assertThat(LocalPostgres.parsePidFile(pidFile)).contains(new LocalPostgres.Running(4711, 54321));
        assertThat(LocalPostgres.parsePidFile(List.of("4711", "/srv/pg/data"))).isEmpty();
        assertThat(LocalPostgres.parsePidFile(List.of("x", "/d", "0", "y"))).isEmpty();
    }

    @Test
    void aStalePidFileIsNoRunningServer() throws Exception {
        LocalPostgres pg = new LocalPostgres(new StowageHome(home), "demo");
        Files.createDirectories(pg.dataDirectory());
        // This JVM's own pid: alive, but not a postmaster.
        Files.writeString(pg.dataDirectory().resolve("postmaster.pid"),
                ProcessHandle.current().pid() + "\n" + pg.dataDirectory() + "\n0\n5432\n");

        assertThat(pg.running()).isEmpty();
        assertThat(pg.exists()).isFalse();
        assertThat(pg.settings()).isEmpty();
        assertThat(pg.stop()).isFalse();
    }

    @Test
    void serverProgramsRunAsTheClustersOsUserOnlyWhenItIsAnother() {
        assertThat(LocalPostgres.asUser(System.getProperty("user.name"))).isEmpty();
        assertThat(LocalPostgres.asUser(null)).isEmpty();
    }
}
