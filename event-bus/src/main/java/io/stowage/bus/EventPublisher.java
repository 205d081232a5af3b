package io.stowage.bus;

import io.stowage.events.Envelope;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Publishes single events (outcomes, progress, rejections), each on its type's topic, keyed by its cluster. */
public interface EventPublisher {
    /** How long {@link #publishAndWait} waits for the broker's acknowledgement. */
    Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    /** Sends without waiting; the stage completes when the broker has the event. */
    CompletionStage<Void> publish(Envelope<?> event);

    /**
     * Sends and waits for the broker's acknowledgement.
     *
     * @throws BusUnavailable when the broker did not take it in time
     */
    default void publishAndWait(Envelope<?> event) {
        try {
            publish(event).toCompletableFuture().get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing " + event.type().type(), e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new BusUnavailable("could not publish " + event.type().type() + ": " + cause.getMessage(), cause);
        }
    }
}
