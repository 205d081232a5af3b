package io.stowage.backup.pipeline;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Reports a run's progress every interval: its heartbeat, which tells another instance handed the same request that
 * this one is at work. At the run's deadline it stops reporting and calls {@code onDeadline} once (which stops the
 * run's read of the database).
 */
final class ProgressTicker implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backup-progress");
        t.setDaemon(true);
        return t;
    });

    ProgressTicker(BackupListener listener, BackupPlan plan, long intervalMillis, LongSupplier bytesDone,
                   long bytesEstimate, RunDeadline deadline, Runnable onDeadline) {
        long[] last = {bytesDone.getAsLong(), System.nanoTime()};
        timer.scheduleAtFixedRate(() -> {
            if (deadline.passed()) {
                onDeadline.run();
                timer.shutdown();
                return;
            }
            long now = System.nanoTime();
            long bytes = bytesDone.getAsLong();
            long rate = (long) ((bytes - last[0]) / ((now - last[1]) / 1e9));
            last[0] = bytes;
            last[1] = now;
            listener.progress(plan, bytes, bytesEstimate, Math.max(0, rate));
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
