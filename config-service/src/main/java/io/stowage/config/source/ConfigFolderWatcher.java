package io.stowage.config.source;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Watches the config folder (and its sub-folders) and calls back once things have been quiet for the debounce
 * time: an editor's burst of writes, or a git checkout of many files, becomes one apply.
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
        this.root = root;
        this.debounce = debounce;
        this.onChange = onChange;
        this.scheduler = scheduler;
        Files.createDirectories(root);
        this.watcher = FileSystems.getDefault().newWatchService();
        registerTree(root);
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
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
                        Path created = dir.resolve((Path) event.context());
                        if (Files.isDirectory(created)) {
                            registerTree(created);
                        }
                    }
                }
                key.reset();
                schedule();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.errorf(e, "stopped watching %s; the periodic rescan still applies changes", root);
        }
    }

    private synchronized void schedule() {
        if (pending != null) {
            pending.cancel(false);
        }
        pending = scheduler.schedule(onChange, debounce.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void registerTree(Path dir) throws IOException {
        try (Stream<Path> dirs = Files.walk(dir)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
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
