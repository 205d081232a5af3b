package io.stowage.localstack;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

/** Stops a long-running child (S3Proxy) politely first: SIGTERM, and SIGKILL only if it outstays the grace period. */
final class ProcessStop {
    private static final Logger LOG = Logger.getLogger(ProcessStop.class);

    private ProcessStop() {
    }

    static void terminate(ProcessHandle process, String name, Duration grace) {
        process.destroy();
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("%s (pid %d) ignored SIGTERM for %d s; killing it", name, process.pid(), grace.toSeconds());
            process.destroyForcibly();
            process.onExit().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot wait for " + name + " (pid " + process.pid() + ") to exit", e);
        }
    }
}
