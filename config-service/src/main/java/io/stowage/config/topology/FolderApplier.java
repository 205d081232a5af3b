package io.stowage.config.topology;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.stowage.config.source.ConfigFolder;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Applies the config folder to the applied topology: reads it whole, reconciles, and times each cluster change
 * ({@code stowage.config.apply}). Runs on the apply thread, so it is ordered with restores' backupSources.
 */
public final class FolderApplier {
    private static final Logger LOG = Logger.getLogger(FolderApplier.class);

    private final ConfigFolder folder;
    private final ConfigReconciler reconciler;
    private final Timer applyTimer;
    private volatile boolean appliedOnce;

    public FolderApplier(ConfigFolder folder, ConfigReconciler reconciler, MeterRegistry registry) {
        this.folder = folder;
        this.reconciler = reconciler;
        this.applyTimer = Timer.builder("stowage.config.apply")
                .description("From diff to committed transaction, per cluster change")
                .publishPercentiles(0.5, 0.99)
                .serviceLevelObjectives(applyBuckets())
                .register(registry);
    }

    /** Millisecond buckets up to 30 ms (the goal is 20 ms at p99), coarser beyond, so percentiles can be read off. */
    private static Duration[] applyBuckets() {
        List<Duration> buckets = new ArrayList<>();
        for (int ms = 1; ms <= 30; ms++) {
            buckets.add(Duration.ofMillis(ms));
        }
        for (int ms : new int[] {40, 50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000}) {
            buckets.add(Duration.ofMillis(ms));
        }
        return buckets.toArray(Duration[]::new);
    }

    /** Reads the folder and applies it; when that fails, the applied topology stays as it is. */
    public void apply() {
        try {
            long start = System.nanoTime();
            var snapshot = folder.read();
            long read = System.nanoTime();
            ConfigReconciler.Outcome outcome = reconciler.reconcile(snapshot);
            outcome.applied().forEach(a -> applyTimer.record(a.nanos(), TimeUnit.NANOSECONDS));
            if (!outcome.applied().isEmpty()) {
                LOG.infof("config folder applied: %d documents read in %d ms, %d cluster changes published in %d ms",
                        snapshot.documents().size(), (read - start) / 1_000_000, outcome.applied().size(),
                        (System.nanoTime() - read) / 1_000_000);
            }
            appliedOnce = outcome.failed().isEmpty() || appliedOnce;
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not apply the config folder %s; the applied topology stays", folder.root());
        }
    }

    /** True once the folder has been applied with no cluster change left unpublished. */
    public boolean appliedOnce() {
        return appliedOnce;
    }
}
