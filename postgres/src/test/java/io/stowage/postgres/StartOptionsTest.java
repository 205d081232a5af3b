package io.stowage.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StartOptionsTest {

    @TempDir
    Path dataDirectory;

    /** postmaster.opts as the server writes it: the program unquoted, then each argument in double quotes. */
    private void postmasterOpts(String line) throws IOException {
        Files.writeString(dataDirectory.resolve("postmaster.opts"), line + "\n");
    }

    @Test
    void startOptionsAreTheArgumentsWithoutTheProgramAndTheDataDirectory() throws IOException {
        postmasterOpts("/usr/lib/postgresql/17/bin/postgres \"-D\" \"/var/lib/postgresql/17/main\" \"-c\" "
                + "\"config_file=/etc/postgresql/17/main/postgresql.conf\"");

        assertThat(StartOptions.read(dataDirectory))
                .containsExactly("-c", "config_file=/etc/postgresql/17/main/postgresql.conf");
    }

    @Test
    void startOptionsKeepSpacesAndOrder() throws IOException {
        postmasterOpts("/usr/pgsql-15/bin/postgres \"-p\" \"5433\" \"-D\" \"/srv/pg data/main\" \"-k\" \"/tmp\" "
                + "\"-c\" \"log_line_prefix=%m [%p] \"");

        assertThat(StartOptions.read(dataDirectory))
                .containsExactly("-p", "5433", "-k", "/tmp", "-c", "log_line_prefix=%m [%p] ");
    }

    @Test
    void startOptionsOfAServerStartedWithItsDataDirectoryAloneAreNone() throws IOException {
        postmasterOpts("/usr/lib/postgresql/17/bin/postgres \"-D\" \"/var/lib/postgresql/17/main\"");

        assertThat(StartOptions.read(dataDirectory)).isEmpty();
    }

    @Test
    void startOptionsOfAFolderWithoutPostmasterOptsAreNone() throws IOException {
        assertThat(StartOptions.read(dataDirectory)).isEmpty();
    }

    @Test
    void portGivenAsASettingIsReplacedWithItsFlag() {
        assertThat(StartOptions.withPort(List.of("-c", "port=5433", "-k", "/tmp"), 6000))
                .containsExactly("-k", "/tmp", "-p", "6000");
    }

    @Test
    void portGivenAsAFlagIsReplaced() {
        assertThat(StartOptions.withPort(List.of("-p", "5433", "-k", "/tmp"), 6000))
                .containsExactly("-k", "/tmp", "-p", "6000");
        assertThat(StartOptions.withPort(List.of("-p5433", "-k", "/tmp"), 6000))
                .containsExactly("-k", "/tmp", "-p", "6000");
        assertThat(StartOptions.withPort(List.of("-k", "/tmp", "--port=5433"), 6000))
                .containsExactly("-k", "/tmp", "-p", "6000");
        assertThat(StartOptions.withPort(List.of("-cport=5433", "-k", "/tmp"), 6000))
                .containsExactly("-k", "/tmp", "-p", "6000");
    }

    @Test
    void everyOtherOptionIsKeptInOrder() {
        List<String> options = List.of("-c", "config_file=/etc/postgresql/17/main/postgresql.conf", "-k",
                "/var/run/postgresql", "-c", "shared_preload_libraries=pg_stat_statements", "-c", "listen_addresses=*");

        assertThat(StartOptions.withPort(options, 6000)).containsExactly("-c",
                "config_file=/etc/postgresql/17/main/postgresql.conf", "-k", "/var/run/postgresql", "-c",
                "shared_preload_libraries=pg_stat_statements", "-c", "listen_addresses=*", "-p", "6000");
    }

    @Test
    void aPortIsAddedWhereNoneWasGiven() {
        assertThat(StartOptions.withPort(List.of(), 6000)).containsExactly("-p", "6000");
        assertThat(StartOptions.withPort(List.of("-k", "/tmp"), 6000)).containsExactly("-k", "/tmp", "-p", "6000");
    }

    @Test
    void everyPortGivenIsReplacedByTheOneNewPort() {
        assertThat(StartOptions.withPort(List.of("-p", "5433", "-c", "port=5434", "--port=5435"), 6000))
                .containsExactly("-p", "6000");
    }
}
