package io.stowage.cli.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** A file that holds one process id. Its content is a hint only: the process behind it is checked before use. */
record PidFile(Path file) {

    OptionalLong read() {
        try {
            if (!Files.exists(file)) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(Long.parseLong(Files.readString(file).strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    void write(long pid) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, pid + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + file, e);
        }
    }
}
