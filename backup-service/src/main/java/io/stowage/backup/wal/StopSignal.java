package io.stowage.backup.wal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The archiver's stop, as its receiver and shipper threads see it: a flag to check and a wait it cuts short. */
final class StopSignal {
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running;

    void start() {
        running = true;
    }

    void stop() {
        running = false;
        stopped.countDown();
    }

    boolean running() {
        return running;
    }

    /** Waits unless stopped; true when stopped. */
    boolean await(Duration wait) {
        try {
            return stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return true;
        }
    }
}
