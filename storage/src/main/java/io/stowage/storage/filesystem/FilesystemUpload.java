package io.stowage.storage.filesystem;

import io.stowage.storage.ObjectExistsException;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes {@code .<name>.partial} (or {@code .<name>.<run id>.partial}, a name no other run uses) beside the target;
 * complete fsyncs it and renames it atomically over the target, or, for a new object, links it there only if the
 * target does not exist (link(2) fails atomically on an existing name) and removes the partial name.
 */
final class FilesystemUpload extends ObjectUpload {

    private static final int BUFFER_SIZE = 1 << 20;

    private final Path target;
    private final Path partial;
    private final Path root;
    private final boolean newObject;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private long written;
    private boolean completed;
    private boolean aborted;
    private String version;

    /** @param runId null: the plain partial name and a complete that replaces; else a new object only */
    FilesystemUpload(String key, Path target, Path root, String runId) throws IOException {
        super(key);
        this.target = target;
        this.root = root;
        this.newObject = runId != null;
        this.partial = target.resolveSibling(partialName(target.getFileName().toString(), runId));
        Files.createDirectories(target.getParent());
        this.channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** The hidden name an object has while it is written; listings skip such files. */
    static String partialName(String name) {
        return partialName(name, null);
    }

    /** The hidden name an object has while one run writes it. */
    static String partialName(String name, String runId) {
        if (runId != null && !runId.matches("[A-Za-z0-9-]{1,64}")) {
            throw new IllegalArgumentException("a run id is letters, digits and '-': " + runId);
        }
        return "." + name + (runId == null ? "" : "." + runId) + ".partial";
    }

    /** True for the name of a file still being written. */
    static boolean isPartialName(String name) {
        return name.startsWith(".") && name.endsWith(".partial");
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (!buffer.hasRemaining()) {
            drain();
        }
        buffer.put((byte) b);
        written++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        if (len >= BUFFER_SIZE) {
            // Big writes skip the copy into the buffer.
            drain();
            writeFully(ByteBuffer.wrap(b, off, len));
        } else {
            if (len > buffer.remaining()) {
                drain();
            }
            buffer.put(b, off, len);
        }
        written += len;
    }

    @Override
    public long bytesWritten() {
        return written;
    }

    @Override
    public boolean isCompleted() {
        return completed;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public void complete() throws IOException {
        ensureOpen();
        try {
            drain();
            channel.force(true);
            channel.close();
            if (newObject) {
                placeNew();
            } else {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            version = FilesystemStorage.versionOf(target);
            syncFolders();
            completed = true;
        } catch (FileAlreadyExistsException e) {
            abort();
            throw new ObjectExistsException("cannot complete " + key() + ": " + target + " already exists");
        } catch (IOException e) {
            abort();
            throw new StorageException("cannot complete " + key() + " (" + target + "): " + e, e);
        }
    }

    // A hard link is created only if the name is free, atomically. A filesystem without hard links (some network
    // and FUSE ones) gets a move that looks first: another process may still take the name in between.
    private void placeNew() throws IOException {
        try {
            Files.createLink(target, partial);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.move(partial, target);
            return;
        }
        Files.delete(partial);
    }

    @Override
    public void abort() throws IOException {
        if (completed || aborted) {
            return;
        }
        aborted = true;
        try {
            channel.close();
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private void ensureOpen() throws IOException {
        if (completed || aborted) {
            throw new StorageException("upload of " + key() + " is already " + (completed ? "completed" : "aborted"));
        }
    }

    private void drain() throws IOException {
        buffer.flip();
        writeFully(buffer);
        buffer.clear();
    }

    private void writeFully(ByteBuffer source) throws IOException {
        while (source.hasRemaining()) {
            channel.write(source);
        }
    }

    // The rename, and folders this upload may have created, survive a crash only once their folders are synced.
    private void syncFolders() throws IOException {
        for (Path folder = target.getParent(); folder != null && folder.startsWith(root); folder = folder.getParent()) {
            try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
                dir.force(true);
            }
        }
    }
}
