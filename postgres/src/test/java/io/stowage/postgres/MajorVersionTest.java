package io.stowage.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

class MajorVersionTest {

    @TempDir
    Path dataDirectory;

    @Test
    void serverVersionNumbersCountInTenThousands() {
        assertThat(MajorVersion.ofVersionNumber("150008")).hasValue(15);
        assertThat(MajorVersion.ofVersionNumber("170000\n")).hasValue(17);
        assertThat(MajorVersion.ofVersionNumber("90624")).hasValue(9);
        assertThat(MajorVersion.ofVersionNumber("15.8")).isEmpty();
    }

    @Test
    void versionsAreCountedByTheirFirstNumber() {
        assertThat(MajorVersion.parse("15")).hasValue(15);
        assertThat(MajorVersion.parse("9.6")).hasValue(9);
        assertThat(MajorVersion.parse("current")).isEmpty();
        assertThat(MajorVersion.parse("15beta")).isEmpty();
        assertThat(MajorVersion.parse("")).isEmpty();
        assertThat(MajorVersion.parse("123456789012")).isEmpty();
    }

    @Test
    void aDataDirectoryTellsItsMajorInPgVersion() throws IOException {
        assertThat(MajorVersion.ofDataDirectory(dataDirectory)).isEqualTo(OptionalInt.empty());

        Files.writeString(dataDirectory.resolve("PG_VERSION"), "16\n");
        assertThat(MajorVersion.ofDataDirectory(dataDirectory)).hasValue(16);
    }
}
