package io.stowage.bus;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.kafka.common.errors.RetriableException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * How a consumer treats a failure to handle an event it accepted: bad input ({@link Refusal},
 * {@link RejectedEventException}) is answered at once; a transient failure (the broker or a storage out of reach) is
 * tried again with a growing pause, for as long as it lasts; anything else (a bug, an unexpected state) a few times,
 * then answered as not handled, so that one event cannot hold its partition for good.
 */
public final class Retries {
    /** Attempts of an event whose failure is neither bad input nor transient. */
    public static final int UNEXPECTED_ATTEMPTS = 3;

    private final Duration first;
    private final Duration max;

    public Retries(Duration first, Duration max) {
        this.first = first;
        this.max = max;
    }

    /** One second, doubling up to a minute. */
    public static Retries standard() {
        return new Retries(Duration.ofSeconds(1), Duration.ofMinutes(1));
    }

    /** Whether attempt {@code attempt} (1 for the first) that failed with {@code failure} is to be tried again. */
    public boolean again(Throwable failure, int attempt) {
        if (isBadInput(failure)) {
            return false;
        }
        return isTransient(failure) || attempt < UNEXPECTED_ATTEMPTS;
    }

    /** The pause after failed attempt {@code attempt} (1 for the first). */
    public Duration pause(int attempt) {
        long millis = first.toMillis() << Math.min(attempt - 1, 20);
        return millis >= max.toMillis() || millis <= 0 ? max : Duration.ofMillis(millis);
    }

    public static boolean isBadInput(Throwable failure) {
        return failure instanceof Refusal || failure instanceof RejectedEventException;
    }

    /**
     * A failure of something out of reach for now: the broker, a storage, a server; its causes are looked at too.
     * Content that does not parse (JSON, a manifest) is an I/O exception but never transient: trying again reads the
     * same bytes.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JsonProcessingException) {
                return false;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BusUnavailable || t instanceof RetriableException || t instanceof IOException
                    || t instanceof UncheckedIOException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
