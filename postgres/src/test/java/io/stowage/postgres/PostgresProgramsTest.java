package io.stowage.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one rule, on fake file systems: bin folders holding empty executable files. */
class PostgresProgramsTest {
    private static final List<String> SERVER_PROGRAMS = List.of("pg_ctl", "pg_controldata", "pg_verifybackup");
    private static final List<String> CLIENT_PROGRAMS = List.of("pg_basebackup", "psql");

    @TempDir
    Path root;

    /** A bin folder below the fake root holding {@code programs}, executable. */
    private Path bin(String folder, List<String> programs) throws IOException {
        Path bin = Files.createDirectories(root.resolve(folder));
        for (String program : programs) {
            Files.createFile(bin.resolve(program), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        return bin;
    }

    private Path debian(int major) throws IOException {
        return bin("usr/lib/postgresql/" + major + "/bin", both());
    }

    private static List<String> both() {
        return List.of("pg_basebackup", "psql", "pg_ctl", "pg_controldata", "pg_verifybackup");
    }

    private PostgresPrograms find(List<String> programs, String path) {
        return PostgresPrograms.find(null, programs, root, path);
    }

    @Test
    void backupAndRestoreProgramsOfTheServersOwnMajorComeFromTheSameFolder() throws IOException {
        debian(15);
        Path sixteen = debian(16);
        debian(17);

        assertThat(find(CLIENT_PROGRAMS, null).directory(OptionalInt.of(16))).isEqualTo(sixteen);
        assertThat(find(SERVER_PROGRAMS, null).directory(OptionalInt.of(16))).isEqualTo(sixteen);
    }

    @Test
    void withoutTheServersMajorBothTakeTheNewest() throws IOException {
        debian(9);
        Path seventeen = debian(17);
        debian(15);

        assertThat(find(CLIENT_PROGRAMS, null).directory(OptionalInt.empty())).isEqualTo(seventeen);
        assertThat(find(SERVER_PROGRAMS, null).directory(OptionalInt.empty())).isEqualTo(seventeen);
    }

    @Test
    void aMajorThatIsNotInstalledFallsBackToTheNewest() throws IOException {
        debian(15);
        Path seventeen = debian(17);

        assertThat(find(SERVER_PROGRAMS, null).directory(OptionalInt.of(16))).isEqualTo(seventeen);
    }

    @Test
    void debiansFolderComesBeforePgdgsForTheSameMajor() throws IOException {
        Path pgdg16 = bin("usr/pgsql-16/bin", both());
        Path debian15 = debian(15);
        bin("usr/pgsql-15/bin", both());

        assertThat(find(SERVER_PROGRAMS, null).directory(OptionalInt.of(15))).isEqualTo(debian15);
        assertThat(find(SERVER_PROGRAMS, null).directory(OptionalInt.empty())).isEqualTo(pgdg16);
    }

    @Test
    void aFolderCountsOnlyWhenItHoldsEveryProgramTheCallerRuns() throws IOException {
        Path clientOnly = bin("usr/lib/postgresql/17/bin", CLIENT_PROGRAMS);
        Path full = debian(15);

        assertThat(find(SERVER_PROGRAMS, null).directory(OptionalInt.empty())).isEqualTo(full);
        assertThat(find(CLIENT_PROGRAMS, null).directory(OptionalInt.empty())).isEqualTo(clientOnly);
    }

    @Test
    void aProgramThatIsNotExecutableDoesNotCount() throws IOException {
        Path full = debian(15);
        Path seventeen = debian(17);
        Files.setPosixFilePermissions(seventeen.resolve("pg_ctl"), PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(find(SERVER_PROGRAMS, null).directory(OptionalInt.of(17))).isEqualTo(full);
    }

    @Test
    void foldersThatNameNoVersionAreNotInstallations() throws IOException {
        bin("usr/lib/postgresql/current/bin", both());
        bin("usr/pgsql/bin", both());
        Path fifteen = debian(15);

        assertThat(find(SERVER_PROGRAMS, null).directory(OptionalInt.empty())).isEqualTo(fifteen);
    }

    @Test
    void pathIsTheLastPlaceLookedAt() throws IOException {
        Path local = bin("usr/local/bin", both());
        Path other = bin("opt/pg/bin", both());
        String path = root.resolve("nowhere") + File.pathSeparator + local + File.pathSeparator + other;

        assertThat(find(SERVER_PROGRAMS, path).directory(OptionalInt.of(15))).isEqualTo(local);

        Path fifteen = debian(15);
        assertThat(find(SERVER_PROGRAMS, path).directory(OptionalInt.empty())).isEqualTo(fifteen);
    }

    @Test
    void theConfigsBinDirectoryIsTakenAsItIsAndNothingIsAsked() throws IOException {
        debian(15);
        PostgresPrograms programs = PostgresPrograms.find("/opt/postgres/bin", SERVER_PROGRAMS, root, null);

        assertThat(programs.forDataDirectory(root.resolve("no-data-here"))).isEqualTo(Path.of("/opt/postgres/bin"));
        assertThat(programs.directory(OptionalInt.of(15))).isEqualTo(Path.of("/opt/postgres/bin"));
    }

    @Test
    void aDataDirectoryNamesItsMajorInPgVersion() throws IOException {
        Path fifteen = debian(15);
        Path seventeen = debian(17);
        Path data = Files.createDirectories(root.resolve("srv/pg1/data"));
        Files.writeString(data.resolve("PG_VERSION"), "15\n");
        PostgresPrograms programs = find(SERVER_PROGRAMS, null);

        assertThat(programs.forDataDirectory(data)).isEqualTo(fifteen);
        assertThat(programs.forDataDirectory(root.resolve("srv/pg2/data"))).isEqualTo(seventeen);
    }

    @Test
    void nothingFoundNamesTheSettingAndWhereItLooked() throws IOException {
        bin("usr/lib/postgresql/15/bin", CLIENT_PROGRAMS);

        assertThatThrownBy(() -> find(SERVER_PROGRAMS, root.resolve("usr/bin").toString()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pg_ctl, pg_controldata, pg_verifybackup")
                .hasMessageContaining("spec.postgres.binDirectory")
                .hasMessageContaining(root.resolve("usr/lib/postgresql/*/bin").toString())
                .hasMessageContaining(root.resolve("usr/pgsql-*/bin").toString())
                .hasMessageContaining("PATH");
    }
}
