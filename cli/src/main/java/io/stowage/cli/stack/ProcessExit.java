package io.stowage.cli.stack;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a process to exit, up to a deadline. */
final class ProcessExit {
    private ProcessExit() {
    }

    /** True when the process exited before the deadline. */
    static boolean await(ProcessHandle process, Instant deadline) {
        long millis = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
        try {
            process.onExit().get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        } catch (ExecutionException e) {
            return !process.isAlive();
        }
    }
}
