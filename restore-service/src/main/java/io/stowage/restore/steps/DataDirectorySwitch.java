package io.stowage.restore.steps;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The folders' part of step {@code switch-data-directory}, safe against a kill at any line: the restored copy is
 * marked as this restore's first, each rename is made durable before the next, and a later run of the same restore
 * tells from the folders alone whether the copy already became the data directory (before its state file said so).
 */
final class DataDirectorySwitch {
    private final Path dataDirectory;
    private final Path restored;
    private final Path kept;
    private final String marker;

    DataDirectorySwitch(Path dataDirectory, Path restored, Path kept, String restoreId) {
        this.dataDirectory = dataDirectory;
        this.restored = restored;
        this.kept = kept;
        this.marker = "stowage-restored-by-" + restoreId;
    }

    /** Marks the restored copy as this restore's: the mark stays in the data directory, a note of where it came from. */
    Path mark() throws IOException {
        Path file = restored.resolve(marker);
        Files.writeString(file, "the data directory restored by this restore\n");
        sync(file);
        return file;
    }

    /** The previous data directory moved aside (kept), then the restored copy moved in; each rename made durable. */
    void run() throws IOException {
        if (!Files.exists(restored.resolve(marker))) {
            throw new IOException(restored + " does not bear this restore's mark " + marker + ": it is not moved");
        }
        if (Files.exists(dataDirectory) && !Files.exists(kept)) {
            Files.move(dataDirectory, kept, StandardCopyOption.ATOMIC_MOVE);
            sync(kept.getParent());
        }
        if (Files.exists(dataDirectory)) {
            throw new IOException(dataDirectory + " exists beside the kept " + kept + ": the restored copy is not "
                    + "moved over it");
        }
        Files.move(restored, dataDirectory, StandardCopyOption.ATOMIC_MOVE);
        sync(dataDirectory.getParent());
    }

    /** Whether an earlier run got as far as moving the restored copy in (maybe killed before it said so). */
    boolean done() {
        return !Files.exists(restored) && Files.exists(dataDirectory.resolve(marker));
    }

    /** Forces a file's or a folder's entries to disk (a rename is durable once its folder is). */
    static void sync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
