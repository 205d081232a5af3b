package io.stowage.localstack;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Repeats an attempt until it yields a value or time runs out: Kafka offers no "ready" callback to wait on. */
final class Poll {
    private static final long PAUSE_MILLIS = 100;

    /** One try; it may throw an unchecked exception to give up at once (e.g. the broker process died). */
    @FunctionalInterface
    interface Attempt<T> {
        Optional<T> run() throws InterruptedException;
    }

    private Poll() {
    }

    /** The first value the attempt yields, or empty if the timeout passes first. */
    static <T> Optional<T> until(Duration timeout, Attempt<T> attempt) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> value = attempt.run();
            if (value.isPresent() || System.nanoTime() - deadline > 0) {
                return value;
            }
            TimeUnit.MILLISECONDS.sleep(PAUSE_MILLIS);
        }
    }
}
