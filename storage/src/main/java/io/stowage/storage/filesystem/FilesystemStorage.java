package io.stowage.storage.filesystem;

import io.stowage.events.spec.StorageLocation;
import io.stowage.events.spec.StorageType;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.NoSuchObjectException;
import io.stowage.storage.ObjectExistsException;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.StorageException;
import io.stowage.storage.StorageKeys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A storage on a mounted filesystem: key {@code k} is the file {@code <path>/<prefix>/k}. Uploads go to
 * a hidden {@code .<name>.partial} file beside the target, are fsynced and renamed atomically, so a
 * reader never sees a half-written object under its final name.
 */
public final class FilesystemStorage implements BackupStorage {

    /** The largest object {@link #readSmall} accepts: manifests are far smaller. */
    static final long SMALL_LIMIT = 64L << 20;

    private final String name;
    private final StorageLocation location;
    private final Path base;
    private final Path root;

    /** Opens the storage at {@code location} (type filesystem, with its effective prefix). */
    public FilesystemStorage(String name, StorageLocation location) {
        if (location.type() != StorageType.FILESYSTEM || location.path() == null || location.path().isBlank()) {
            throw new IllegalArgumentException("not a filesystem location with a path: " + location);
        }
        this.name = name;
        this.location = location;
        this.base = Path.of(location.path()).toAbsolutePath().normalize();
        String prefix = StorageKeys.trimSlashes(location.prefix());
        this.root = prefix.isEmpty() ? base : base.resolve(StorageKeys.requireValid(prefix)).normalize();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public StorageLocation location() {
        return location;
    }

    /** The folder keys are relative to: {@code <path>/<prefix>}. */
    public Path root() {
        return root;
    }

    @Override
    public ObjectUpload upload(String key) throws IOException {
        Path target = fileOf(key);
        try {
            return new FilesystemUpload(key, target, root, null);
        } catch (IOException e) {
            throw failure("cannot start writing", key, e);
        }
    }

    @Override
    public ObjectUpload uploadNew(String key, String runId) throws IOException {
        Path target = fileOf(key);
        try {
            return new FilesystemUpload(key, target, root, runId);
        } catch (IOException e) {
            throw failure("cannot start writing", key, e);
        }
    }

    @Override
    public InputStream download(String key) throws IOException {
        Path file = fileOf(key);
        if (Files.isDirectory(file)) {
            throw missing(key);
        }
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw missing(key);
        } catch (IOException e) {
            throw failure("cannot read", key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        Path file = fileOf(key);
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.isRegularFile()
                    ? Optional.of(new ObjectInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant(),
                    versionOf(attributes)))
                    : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("cannot stat", key, e);
        }
    }

    /** Each folder's modification time (nanoseconds where the filesystem keeps them) and identity (its inode). */
    @Override
    public Map<String, String> folderStamps(String folderKey) throws IOException {
        StorageKeys.requireValidPrefix(folderKey);
        Path folder = folderKey.isEmpty() ? root : root.resolve(folderKey);
        Map<String, String> stamps = new java.util.TreeMap<>();
        stamps.put(folderKey, stampOf(folder));
        try (java.nio.file.DirectoryStream<Path> children = Files.newDirectoryStream(folder, Files::isDirectory)) {
            for (Path child : children) {
                stamps.put(folderKey + child.getFileName() + "/", stampOf(child));
            }
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            // no folder: its stamp says so
        } catch (IOException e) {
            throw failure("cannot list the folders under", folderKey, e);
        }
        return stamps;
    }

    private static String stampOf(Path folder) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(folder, BasicFileAttributes.class);
            return attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS) + "@"
                    + attributes.fileKey() + (attributes.isDirectory() ? "" : " not a folder");
        } catch (NoSuchFileException e) {
            return "absent";
        }
    }

    @Override
    public Stream<ObjectInfo> list(String keyPrefix) throws IOException {
        StorageKeys.requireValidPrefix(keyPrefix);
        // An unmounted volume or a wrong path is not an empty storage: read as empty, a resync would forget it all.
        if (!Files.isDirectory(base)) {
            throw new StorageException(describe() + ": the folder " + base + " does not exist (is its volume mounted?)");
        }
        SortedFileWalk walk = new SortedFileWalk(root, keyPrefix, this::describe);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(walk,
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** False while {@code <path>/<prefix>} does not exist: nothing written yet, or the volume is not mounted. */
    @Override
    public boolean prefixExists() {
        return Files.isDirectory(root);
    }

    @Override
    public void delete(String key) throws IOException {
        Path file = fileOf(key);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw failure("cannot delete", key, e);
        }
    }

    @Override
    public long deleteAll(Iterator<String> keys) throws IOException {
        long given = 0;
        Path folder = null;
        while (keys.hasNext()) {
            String key = keys.next();
            Path file = fileOf(key);
            if (folder != null && !folder.equals(file.getParent())) {
                removeIfEmpty(folder);
            }
            folder = file.getParent();
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw failure("cannot delete", key, e);
            }
            given++;
        }
        if (folder != null) {
            removeIfEmpty(folder);
        }
        return given;
    }

    /** Removes a folder left empty below the layout's top folders ({@code backups/<id>/}, {@code wal/<timeline>/}). */
    private void removeIfEmpty(Path folder) {
        if (!folder.startsWith(root) || root.relativize(folder).getNameCount() < 2) {
            return;
        }
        try {
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            // Not empty (a partial file, a file written since) or not ours: it stays, which is harmless.
        }
    }

    /**
     * The file's identity (device and inode) and modification time: a file written under the same name later is
     * another file, or at least another time.
     */
    static String versionOf(Path file) throws IOException {
        return versionOf(Files.readAttributes(file, BasicFileAttributes.class));
    }

    private static String versionOf(BasicFileAttributes attributes) {
        return attributes.fileKey() + "@" + attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Looks, then removes: a filesystem has no compare-and-delete, so a file put there in between could go too. */
    @Override
    public boolean deleteVersion(String key, String version) throws IOException {
        Path file = fileOf(key);
        try {
            if (version == null || !version.equals(versionOf(file))) {
                return false;
            }
            return Files.deleteIfExists(file);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw failure("cannot delete", key, e);
        }
    }

    @Override
    public int discardIncomplete(String keyPrefix) throws IOException {
        return discardPartials(keyPrefix, null);
    }

    @Override
    public int discardAbandoned(String keyPrefix, Duration idle) throws IOException {
        return discardPartials(keyPrefix, FileTime.from(Instant.now().minus(idle)));
    }

    // Partial files under the prefix's folder; with writtenBefore, only those not modified since.
    private int discardPartials(String keyPrefix, FileTime writtenBefore) throws IOException {
        String folderKey = keyPrefix.contains("/") ? keyPrefix.substring(0, keyPrefix.lastIndexOf('/')) : "";
        Path folder = folderKey.isEmpty() ? root : fileOf(folderKey);
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        int discarded = 0;
        try (var files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(f -> FilesystemUpload.isPartialName(f.getFileName().toString()))
                    .filter(f -> root.relativize(f).toString().replace('\\', '/').startsWith(folderKey))
                    .filter(f -> writtenBefore == null || modifiedBefore(f, writtenBefore))
                    .toList()) {
                Files.deleteIfExists(file);
                discarded++;
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw failure("cannot discard partial files under", keyPrefix, e instanceof IOException io ? io
                    : ((java.io.UncheckedIOException) e).getCause());
        }
        return discarded;
    }

    private static boolean modifiedBefore(Path file, FileTime time) {
        try {
            return Files.getLastModifiedTime(file).compareTo(time) < 0;
        } catch (IOException e) {
            return false; // gone already, or not ours to judge
        }
    }

    @Override
    public boolean writeSmallIfAbsent(String key, byte[] content) throws IOException {
        try (ObjectUpload upload = uploadNew(key, UUID.randomUUID().toString())) {
            upload.write(content);
            upload.complete();
            return true;
        } catch (ObjectExistsException e) {
            return false;
        }
    }

    @Override
    public void writeSmall(String key, byte[] content) throws IOException {
        try (ObjectUpload upload = upload(key)) {
            upload.write(content);
            upload.complete();
        }
    }

    @Override
    public byte[] readSmall(String key) throws IOException {
        Optional<ObjectInfo> info = stat(key);
        if (info.isEmpty()) {
            throw missing(key);
        }
        if (info.get().size() > SMALL_LIMIT) {
            throw new StorageException(describe() + ": " + key + " is " + info.get().size()
                    + " bytes, too big to read whole; stream it with download()");
        }
        try {
            return Files.readAllBytes(fileOf(key));
        } catch (NoSuchFileException e) {
            throw missing(key);
        } catch (IOException e) {
            throw failure("cannot read", key, e);
        }
    }

    @Override
    public void checkAccess() throws IOException {
        if (!Files.isDirectory(base)) {
            throw new StorageException(describe() + ": the folder " + base + " does not exist");
        }
        Path existing = root;
        while (!Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (!Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new StorageException(describe() + ": " + existing + " is not a writable folder");
        }
    }

    @Override
    public void close() {
        // Nothing held between calls.
    }

    @Override
    public String toString() {
        return describe();
    }

    private Path fileOf(String key) {
        Path file = root.resolve(StorageKeys.requireValid(key)).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new IllegalArgumentException("key leaves the storage's folder: " + key);
        }
        return file;
    }

    private NoSuchObjectException missing(String key) {
        return new NoSuchObjectException(describe() + ": no object " + key);
    }

    private StorageException failure(String what, String key, IOException cause) {
        return new StorageException(describe() + ": " + what + " " + key + ": " + cause, cause);
    }
}
