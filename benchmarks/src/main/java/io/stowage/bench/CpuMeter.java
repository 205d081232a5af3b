package io.stowage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * CPU seconds per component over a run, from /proc: a process's own time, the time of the children it has reaped
 * (cutime/cstime: pg_basebackup under backup-service, walsenders under the postmaster), and its live descendants;
 * plus the whole machine's busy and iowait time from /proc/stat.
 */
final class CpuMeter {
    private static final long TICKS = clockTicks();

    /** Named counters, each returning clock ticks so far. */
    private final Map<String, LongSupplier> groups = new LinkedHashMap<>();

    /** A process and everything under it, including what it has reaped. */
    CpuMeter tree(String name, long pid) {
        groups.put(name, () -> treeTicks(pid));
        return this;
    }

    /** A process's own time only (its children are counted elsewhere). */
    CpuMeter self(String name, long pid) {
        groups.put(name, () -> ticks(pid, true, false));
        return this;
    }

    /** Only what a process has reaped: the short-lived tools it ran and waited for. */
    CpuMeter reaped(String name, long pid) {
        groups.put(name, () -> ticks(pid, false, true));
        return this;
    }

    /**
     * The server whose postmaster.pid is in a data directory, and everything under it (0 while none runs there): a
     * restored copy, which pg_ctl detaches from whoever started it. Read it before the server stops.
     */
    CpuMeter postmaster(String name, Path dataDirectory) {
        groups.put(name, () -> {
            try {
                List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
                return lines.isEmpty() ? 0 : treeTicks(Long.parseLong(lines.get(0).trim()));
            } catch (IOException | RuntimeException none) {
                return 0;
            }
        });
        return this;
    }

    /** A reading; {@link Snapshot#secondsSince} gives the CPU seconds per group between two readings. */
    Snapshot snapshot() {
        Map<String, Long> values = new LinkedHashMap<>();
        groups.forEach((name, counter) -> values.put(name, counter.getAsLong()));
        return new Snapshot(values, machine(), System.nanoTime());
    }

    record Snapshot(Map<String, Long> ticks, long[] machine, long nanos) {
        /** CPU seconds per group since {@code before}. */
        Map<String, Double> secondsSince(Snapshot before) {
            Map<String, Double> out = new LinkedHashMap<>();
            ticks.forEach((name, t) -> out.put(name, (t - before.ticks.getOrDefault(name, 0L)) / (double) TICKS));
            return out;
        }

        /**
         * The machine's busy CPU seconds (all cores, user+system+irq, not idle, iowait or steal), iowait seconds, and
         * steal seconds (time the hypervisor gave this VM's CPUs to others).
         */
        double[] machineSince(Snapshot before) {
            return new double[] {(machine[0] - before.machine[0]) / (double) TICKS,
                    (machine[1] - before.machine[1]) / (double) TICKS,
                    (machine[2] - before.machine[2]) / (double) TICKS};
        }
    }

    private static long treeTicks(long pid) {
        long total = ticks(pid, true, true);
        var handle = ProcessHandle.of(pid);
        if (handle.isPresent()) {
            for (ProcessHandle d : handle.get().descendants().toList()) {
                total += ticks(d.pid(), true, true);
            }
        }
        return total;
    }

    private static long ticks(long pid, boolean own, boolean children) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): utime 14, stime 15, cutime 16, cstime 17.
            long t = 0;
            if (own) {
                t += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
            if (children) {
                t += Long.parseLong(f[13]) + Long.parseLong(f[14]);
            }
            return t;
        } catch (IOException | RuntimeException gone) {
            return 0; // exited between listing and reading: its parent's cutime has it
        }
    }

    private static long[] machine() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]);
            return new long[] {busy, Long.parseLong(f[5]), f.length > 8 ? Long.parseLong(f[8]) : 0};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0, 0};
        }
    }

    private static long clockTicks() {
        try {
            Commands.Result r = Commands.run(List.of("getconf", "CLK_TCK"), Map.of(), Duration.ofSeconds(10));
            return r.exitCode() == 0 ? Long.parseLong(r.output().strip()) : 100;
        } catch (RuntimeException e) {
            return 100;
        }
    }
}
