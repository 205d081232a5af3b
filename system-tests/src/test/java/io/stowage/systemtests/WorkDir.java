package io.stowage.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A test class's work folder under the temp directory: the logs stay for a look after a run, the bulk goes. */
final class WorkDir {
    private WorkDir() {
    }

    /**
     * Removes what takes room and tells nothing after the run (some 150 MB a class): data directories (PostgreSQL's,
     * the broker's, a restored copy's), storages and WAL spools. Call it once everything is stopped.
     */
    static void removeBulk(Path work) {
        if (work == null || !Files.isDirectory(work)) {
            return;
        }
        List<Path> bulky;
        try (Stream<Path> all = Files.walk(work)) {
            bulky = all.filter(Files::isDirectory).filter(dir -> {
                String name = dir.getFileName().toString();
                return name.equals("data") || name.equals("drill-data") || name.equals("wal-spool")
                        || name.startsWith("storage-");
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bulky.forEach(WorkDir::deleteTree);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return; // inside one removed before
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + dir, e);
        }
    }
}
