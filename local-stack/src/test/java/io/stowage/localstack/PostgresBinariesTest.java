package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresBinariesTest {
    @TempDir
    Path tmp;

    @Test
    void systemPropertyWinsOverEnvironmentAndDebiansPath() throws IOException {
        Path fromProperty = binAt(tmp.resolve("p"));
        Path fromEnv = binAt(tmp.resolve("e"));
        Path debian = binAt(tmp.resolve("debian"));

        assertThat(PostgresBinaries.locate(fromProperty.toString(), fromEnv.toString(), debian))
                .isEqualTo(fromProperty);
        assertThat(PostgresBinaries.locate(null, fromEnv.toString(), debian)).isEqualTo(fromEnv);
    }

    @Test
    void aDirectoryWithoutTheServerProgramsDoesNotCount() throws IOException {
        Path clientOnly = Files.createDirectories(tmp.resolve("client"));
        Files.createFile(clientOnly.resolve("psql"));
        Path debian = binAt(tmp.resolve("debian"));

        assertThat(PostgresBinaries.locate(clientOnly.toString(), null, debian)).isEqualTo(debian);
    }

    private static Path binAt(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String program : new String[] {"initdb", "pg_ctl", "postgres", "psql"}) {
            Files.createFile(dir.resolve(program), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        return dir;
    }
}
