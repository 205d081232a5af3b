package io.stowage.restore.steps;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 13, item 9: the switch of data directories, killed at each line, is finished by the next run of the same
 * restore, which tells from the folders where the kill came; the previous data is never what becomes "restored".
 */
class DataDirectorySwitchTest {
    @TempDir
    Path root;
    Path data;
    Path restored;
    Path kept;

    @BeforeEach
    void folders() throws IOException {
        data = Files.createDirectories(root.resolve("main"));
        Files.writeString(data.resolve("PG_VERSION"), "previous");
        restored = Files.createDirectories(root.resolve("main.restore-r1"));
        Files.writeString(restored.resolve("PG_VERSION"), "restored");
        kept = root.resolve("main.before-r1");
    }

    private DataDirectorySwitch folders(String restoreId) {
        return new DataDirectorySwitch(data, restored, kept, restoreId);
    }

    @Test
    void theRestoredCopyBecomesTheDataDirectory_thePreviousIsKept() throws IOException {
        DataDirectorySwitch s = folders("r1");
        s.mark();
        assertThat(s.done()).isFalse();

        s.run();

        assertThat(Files.readString(data.resolve("PG_VERSION"))).isEqualTo("restored");
        assertThat(Files.readString(kept.resolve("PG_VERSION"))).isEqualTo("previous");
        assertThat(s.done()).isTrue();
    }

    @Test
    void killedAfterBothRenames_beforeTheStateFileSaidSo_theNextRunSeesTheSwitchDone() throws IOException {
        folders("r1").mark();
        Files.move(data, kept, StandardCopyOption.ATOMIC_MOVE);
        Files.move(restored, data, StandardCopyOption.ATOMIC_MOVE);
        // The kill: the state file still says "not switched". The next run asks the folders.

        assertThat(folders("r1").done()).isTrue();
        assertThat(folders("r2").done()).as("another restore's mark is not this one's").isFalse();
    }

    @Test
    void killedBetweenTheRenames_theNextRunMovesTheCopyIn_andKeepsThePreviousData() throws IOException {
        folders("r1").mark();
        Files.move(data, kept, StandardCopyOption.ATOMIC_MOVE);
        DataDirectorySwitch again = folders("r1");
        assertThat(again.done()).isFalse();

        again.run();

        assertThat(Files.readString(data.resolve("PG_VERSION"))).isEqualTo("restored");
        assertThat(Files.readString(kept.resolve("PG_VERSION"))).isEqualTo("previous");
    }

    @Test
    void aCopyWithoutThisRestoresMarkIsNeverMovedOverTheData() {
        assertThatThrownBy(() -> folders("r1").run()).hasMessageContaining("does not bear this restore's mark");
        assertThat(data.resolve("PG_VERSION")).hasContent("previous");
        assertThat(kept).doesNotExist();
    }
}
