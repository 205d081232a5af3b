package io.stowage.storage.filesystem;

import io.stowage.storage.ObjectInfo;
import io.stowage.storage.StorageException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * The files under a folder whose key starts with a prefix, in key order as S3 lists them, one folder
 * read at a time. Sorting a folder's entries with {@code /} appended to sub-folder names gives exactly
 * the order of the full keys, so a depth-first walk needs no global sort.
 */
final class SortedFileWalk implements Iterator<ObjectInfo> {

    private record Entry(String sortName, String key, Path path, boolean folder) {
    }

    private final Deque<Iterator<Entry>> stack = new ArrayDeque<>();
    private final Supplier<String> storage;
    private ObjectInfo next;

    SortedFileWalk(Path root, String keyPrefix, Supplier<String> storage) {
        this.storage = storage;
        int slash = keyPrefix.lastIndexOf('/');
        String folderKey = keyPrefix.substring(0, slash + 1);
        String namePrefix = keyPrefix.substring(slash + 1);
        Path start = folderKey.isEmpty() ? root : root.resolve(folderKey);
        stack.push(read(start, folderKey, namePrefix).iterator());
    }

    @Override
    public boolean hasNext() {
        while (next == null && !stack.isEmpty()) {
            Iterator<Entry> top = stack.peek();
            if (!top.hasNext()) {
                stack.pop();
                continue;
            }
            Entry entry = top.next();
            if (entry.folder()) {
                stack.push(read(entry.path(), entry.key() + "/", "").iterator());
            } else {
                next = info(entry);
            }
        }
        return next != null;
    }

    @Override
    public ObjectInfo next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ObjectInfo result = next;
        next = null;
        return result;
    }

    private List<Entry> read(Path folder, String folderKey, String namePrefix) {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(folder)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (!name.startsWith(namePrefix) || FilesystemUpload.isPartialName(name)) {
                    continue;
                }
                boolean isFolder = Files.isDirectory(child);
                entries.add(new Entry(isFolder ? name + "/" : name, folderKey + name, child, isFolder));
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(new StorageException(storage.get() + ": cannot list " + folder + ": " + e, e));
        }
        entries.sort((a, b) -> a.sortName().compareTo(b.sortName()));
        return entries;
    }

    private ObjectInfo info(Entry entry) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(entry.path(), BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return null;
            }
            return new ObjectInfo(entry.key(), attributes.size(), attributes.lastModifiedTime().toInstant());
        } catch (NoSuchFileException e) {
            // Deleted since the folder was read.
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(new StorageException(storage.get() + ": cannot stat " + entry.path()
                    + ": " + e, e));
        }
    }
}
