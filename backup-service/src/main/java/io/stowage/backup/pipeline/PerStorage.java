package io.stowage.backup.pipeline;

import io.stowage.storage.BackupStorage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One task per storage, all at once, each on a thread of its own (not the common pool, which has one thread on a
 * two-core machine), then the results by storage. The first failure is thrown, the others attached to it.
 */
final class PerStorage {
    /** What is done on one storage. */
    @FunctionalInterface
    interface Task<T> {
        T run(String name, BackupStorage storage) throws IOException;
    }

    private PerStorage() {
    }

    static <T> Map<String, T> run(String what, Map<String, BackupStorage> storages, Task<T> task) throws IOException {
        if (storages.isEmpty()) {
            return Map.of();
        }
        ExecutorService threads = Executors.newFixedThreadPool(storages.size(), r -> {
            Thread t = new Thread(r, what);
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<T>> running = new LinkedHashMap<>();
            storages.forEach((name, storage) -> running.put(name, threads.submit(() -> task.run(name, storage))));
            Map<String, T> results = new LinkedHashMap<>();
            List<IOException> failures = new ArrayList<>();
            for (var e : running.entrySet()) {
                try {
                    results.put(e.getKey(), e.getValue().get());
                } catch (ExecutionException x) {
                    failures.add(x.getCause() instanceof IOException io ? io
                            : new IOException("storage " + e.getKey() + ": " + x.getCause(), x.getCause()));
                }
            }
            if (!failures.isEmpty()) {
                IOException first = failures.get(0);
                failures.subList(1, failures.size()).forEach(first::addSuppressed);
                throw first;
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + what);
        } finally {
            threads.shutdownNow();
        }
    }
}
