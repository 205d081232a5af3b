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

    /** One folder read: its entries' names, sorted, with {@code /} appended to sub-folder names. */
    private record Listing(Path folder, String folderKey, List<String> sortNames) {
    }

    private record Entry(String key, Path path, boolean folder) {
    }

    /** Walks a listing, building each entry's key and path only when it is reached: a folder of a million files
     * costs a million short names, not a million paths. */
    private static Iterator<Entry> entries(Listing listing) {
        Iterator<String> names = listing.sortNames().iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return names.hasNext();
            }

            @Override
            public Entry next() {
                String sortName = names.next();
                boolean folder = sortName.endsWith("/");
                String name = folder ? sortName.substring(0, sortName.length() - 1) : sortName;
                return new Entry(listing.folderKey() + name, listing.folder().resolve(name), folder);
            }
        };
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
        stack.push(entries(read(start, folderKey, namePrefix)));
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
                stack.push(entries(read(entry.path(), entry.key() + "/", "")));
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

    private Listing read(Path folder, String folderKey, String namePrefix) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(folder)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (!name.startsWith(namePrefix) || FilesystemUpload.isPartialName(name)) {
                    continue;
                }
                names.add(Files.isDirectory(child) ? name + "/" : name);
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return new Listing(folder, folderKey, List.of());
        } catch (IOException e) {
            throw new UncheckedIOException(new StorageException(storage.get() + ": cannot list " + folder + ": " + e, e));
        }
        names.sort(null);
        return new Listing(folder, folderKey, names);
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
