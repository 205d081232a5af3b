package io.stowage.bench;

import io.stowage.localstack.ServiceProcess;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples a Quarkus service's heap from its Prometheus metrics ({@code jvm_memory_used_bytes{area="heap"}}, summed
 * over the pools) at a fixed interval while a run lasts, and keeps the largest value seen, garbage not yet collected
 * included; and the largest live set Micrometer reported after a major collection ({@code jvm.gc.live.data.size}).
 */
final class HeapSampler implements AutoCloseable {
    private static final Pattern USED = Pattern.compile(
            "^jvm_memory_used_bytes\\{([^}]*)\\}\\s+(\\S+)", Pattern.MULTILINE);
    // Micrometer's jvm.gc.live.data.size: the old generation right after the last major (G1: concurrent) collection.
    private static final Pattern LIVE = Pattern.compile(
            "^jvm_gc_live_data_size_bytes(?:\\{[^}]*\\})?\\s+(\\S+)", Pattern.MULTILINE);

    private final ServiceProcess service;
    private final long intervalMillis;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long maxHeap;
    private volatile long maxLive;
    private volatile int samples;

    HeapSampler(ServiceProcess service, long intervalMillis) {
        this.service = service;
        this.intervalMillis = intervalMillis;
        sample(); // before the run: the baseline counts too
        this.thread = new Thread(this::loop, "heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
            sample();
        }
    }

    private void sample() {
        try {
            String metrics = service.get("/q/metrics");
            long heap = 0;
            Matcher m = USED.matcher(metrics);
            while (m.find()) {
                String labels = m.group(1);
                if (!labels.contains("area=\"heap\"")) {
                    continue;
                }
                long bytes = (long) Double.parseDouble(m.group(2));
                heap += bytes;
            }
            Matcher live = LIVE.matcher(metrics);
            if (live.find()) {
                maxLive = Math.max(maxLive, (long) Double.parseDouble(live.group(1)));
            }
            if (heap > 0) {
                samples++;
                maxHeap = Math.max(maxHeap, heap);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // A missed sample is only a missed sample.
        }
    }

    long maxHeapBytes() {
        return maxHeap;
    }

    /** The largest old generation left after a major collection during the run (0 if none ran). */
    long maxLiveBytes() {
        return maxLive;
    }

    int samples() {
        return samples;
    }

    /** Stops sampling after one last sample (the end of the run counts too). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }
}
