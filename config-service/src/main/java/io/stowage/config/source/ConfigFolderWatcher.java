package io.stowage.config.source;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Watches the config folder (and its sub-folders, links followed) and calls back once things have been quiet for the
 * debounce time: an editor's burst of writes, or a git checkout of many files, becomes one apply. The folder's parent
 * is watched too, for the folder's own name: git-sync swaps the folder (a link) for a new one by a rename, an unmounted
 * folder disappears and comes back, and each is seen at once.
 */
public final class ConfigFolderWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigFolderWatcher.class);

    private final Path root;
    private final Duration debounce;
    private final Runnable onChange;
    private final WatchService watcher;
    private final ScheduledExecutorService scheduler;
    private final Thread thread;
    private ScheduledFuture<?> pending;

    /**
     * @param scheduler the single thread that applies changes; the callback always runs there
     */
    public ConfigFolderWatcher(Path root, Duration debounce, ScheduledExecutorService scheduler, Runnable onChange)
            throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.debounce = debounce;
        this.onChange = onChange;
        this.scheduler = scheduler;
        this.watcher = FileSystems.getDefault().newWatchService();
        // The folder is not created here: made empty where a volume should be mounted, it would read as no clusters.
        Path parent = this.root.getParent();
        if (parent != null && Files.isDirectory(parent)) {
            parent.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        } else {
            LOG.warnf("the parent of the config folder %s does not exist: only the periodic rescan will notice the"
                    + " folder when it appears", root);
        }
        registerTree(this.root);
        this.thread = new Thread(this::watch, "config-folder-watcher");
        thread.setDaemon(true);
    }

    public ConfigFolderWatcher start() {
        thread.start();
        return this;
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                Path dir = (Path) key.watchable();
                boolean relevant = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    // No name: events were lost (overflow).
                    Path changed = event.context() instanceof Path name ? dir.resolve(name) : null;
                    if (dir.equals(root.getParent()) && changed != null && !root.equals(changed)) {
                        continue; // a neighbour of the folder
                    }
                    relevant = true;
                    if (changed == null || root.equals(changed)) {
                        // The folder itself was swapped, removed or brought back: watch what it is now.
                        registerTree(root);
                    } else if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && changed != null
                            && !ConfigFiles.isHidden(changed) && Files.isDirectory(changed)) {
                        registerTree(changed);
                    }
                }
                key.reset();
                if (relevant) {
                    schedule();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void schedule() {
        if (pending != null) {
            pending.cancel(false);
        }
        pending = scheduler.schedule(onChange, debounce.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Watches {@code dir} and the folders under it, links followed and hidden folders skipped, as they are read. A
     * folder that vanishes meanwhile is left out: its removal is an event of its parent, and the rescan is there.
     */
    private void registerTree(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attributes)
                                throws IOException {
                            if (!d.equals(dir) && ConfigFiles.isHidden(d)) {
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            LOG.warnf("cannot watch all of %s (%s); the periodic rescan still applies changes", dir, e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        watcher.close();
        thread.interrupt();
    }

    /** A scheduler with the one thread that applies config. */
    public static ScheduledExecutorService applyThread() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "config-apply");
            t.setDaemon(true);
            return t;
        });
    }
}
