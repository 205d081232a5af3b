package io.stowage.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU seconds per thread of one process over a run, from /proc/PID/task: Java threads carry their names there
 * (truncated to 15 characters), and native threads (zstd's workers) appear too, named after the thread that started
 * them. Threads that start and end within the run are caught by sampling; a thread loses at most one interval.
 */
final class ThreadCpu implements AutoCloseable {
    private static final long TICKS = ticks();

    private record Seen(String name, long first, long last) {
    }

    private final long pid;
    private final Map<Long, Seen> threads = new HashMap<>();
    private final Thread sampler;
    private volatile boolean running = true;

    ThreadCpu(long pid, Duration interval) {
        this.pid = pid;
        sample(true);
        sampler = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                sample(false);
            }
        }, "thread-cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private synchronized void sample(boolean initial) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    long tid = Long.parseLong(task.getFileName().toString());
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    Seen before = threads.get(tid);
                    threads.put(tid, new Seen(name, before != null ? before.first : initial ? t : 0, t));
                } catch (IOException | RuntimeException gone) {
                    // The thread ended between listing and reading.
                }
            }
        } catch (IOException | RuntimeException gone) {
            // The process ended.
        }
    }

    /** Stops sampling (after one last sample) and returns the busiest threads, "name seconds" each. */
    String top(int n) {
        close();
        List<Map.Entry<Long, Seen>> busy;
        synchronized (this) {
            busy = new ArrayList<>(threads.entrySet());
        }
        // Threads with the same name (a pool) are summed.
        Map<String, Double> byName = new HashMap<>();
        Map<String, Integer> count = new HashMap<>();
        for (var e : busy) {
            double s = (e.getValue().last - e.getValue().first) / (double) TICKS;
            if (s > 0) {
                String name = e.getValue().name.replaceAll("-\\d+$", "-N");
                byName.merge(name, s, Double::sum);
                count.merge(name, 1, Integer::sum);
            }
        }
        return byName.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(n)
                .map(e -> String.format(Locale.ROOT, "%s%s %.2f", e.getKey(),
                        count.get(e.getKey()) > 1 ? " (x" + count.get(e.getKey()) + ")" : "", e.getValue()))
                .collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        if (running) {
            running = false;
            sampler.interrupt();
            try {
                sampler.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sample(false);
        }
    }

    private static long ticks() {
        try {
            Commands.Result r = Commands.run(List.of("getconf", "CLK_TCK"), Map.of(), Duration.ofSeconds(10));
            return r.exitCode() == 0 ? Long.parseLong(r.output().strip()) : 100;
        } catch (RuntimeException e) {
            return 100;
        }
    }
}
