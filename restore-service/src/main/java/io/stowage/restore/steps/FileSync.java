package io.stowage.restore.steps;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Flushes unpacked files to disk (fsync) on a thread of its own while the next ones are written, then their
 * folders: the copy is on disk before the restore's state file says it is extracted, and PostgreSQL's own sync of
 * the data directory when it starts finds nothing left to write. At most {@link #OPEN} files wait, open.
 */
final class FileSync implements AutoCloseable {
    private static final int OPEN = 64;

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "stowage-restore-fsync");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore open = new Semaphore(OPEN);
    private final Set<Path> folders = new LinkedHashSet<>();
    private volatile IOException failure;

    /** A folder made for the copy: the folder holding it is flushed at the end, so the entry naming it is on disk. */
    void made(Path folder) {
        folders.add(folder.getParent());
        folders.add(folder);
    }

    /** Flushes a file just written and closes it; fails when an earlier flush failed. */
    void syncAndClose(FileChannel file, Path path) throws IOException {
        throwFailure();
        folders.add(path.getParent());
        try {
            open.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            file.close();
            throw new InterruptedIOException("interrupted while waiting to flush " + path);
        }
        thread.execute(() -> {
            try (file) {
                file.force(true);
            } catch (IOException e) {
                if (failure == null) {
                    failure = new IOException("cannot flush " + path + " to disk: " + e.getMessage(), e);
                }
            } finally {
                open.release();
            }
        });
    }

    /** Waits for every file to be on disk, then flushes their folders (the entries naming them). */
    void finish() throws IOException {
        awaitFiles();
        throwFailure();
        for (Path folder : folders) {
            try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
                dir.force(true);
            }
        }
    }

    /** Waits for the flushes under way (their files are closed) and stops the thread. */
    @Override
    public void close() throws IOException {
        awaitFiles();
    }

    private void awaitFiles() throws IOException {
        thread.shutdown();
        try {
            while (!thread.awaitTermination(1, TimeUnit.MINUTES)) {
                // a slow disk: the files must be closed before the copy is used
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while flushing the restored files to disk");
        }
    }

    private void throwFailure() throws IOException {
        if (failure != null) {
            throw failure;
        }
    }
}
