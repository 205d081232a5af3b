package io.stowage.restore.messaging;

import io.stowage.bus.KafkaEvents;
import io.stowage.events.Envelope;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.data.ResyncCompleted;
import io.stowage.events.data.ResyncFailed;
import io.stowage.events.data.StowageEvent;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What restore-service learns from the bus while it restores, as a fold over {@code stowage.restore} and
 * {@code stowage.resync} read from their start: backup-service's answers to pause and resume (by the request they
 * answer), the restores that ended (so a redelivered request is not run twice), and the storages' resyncs.
 */
public final class RestoreLog {
    /** How a resync of one storage ended. */
    public record ResyncOutcome(OffsetDateTime time, boolean completed, String reason) {
    }

    private final Map<String, Envelope<?>> answers = new HashMap<>();
    private final Set<String> completed = new HashSet<>();
    private final Map<String, ResyncOutcome> resyncs = new HashMap<>();

    /** Applies one record of {@code stowage.restore} or {@code stowage.resync}; invalid ones teach nothing. */
    public void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            apply(KafkaEvents.fromRecord(record));
        } catch (InvalidEventException e) {
            // Rejected by the consumer that owns the topic; nothing to learn from it here.
        }
    }

    public synchronized void apply(Envelope<? extends StowageEvent> event) {
        StowageEvent data = event.data();
        if (data instanceof RestoreStep step && step.is(RestoreStepStatus.COMPLETED) && event.causationId() != null) {
            answers.put(event.causationId(), event);
        } else if (data instanceof RestoreCompleted done) {
            completed.add(done.cluster() + " " + done.restoreId());
        } else if (data instanceof RestoreFailed failed) {
            completed.remove(failed.cluster() + " " + failed.restoreId());
        } else if (data instanceof ResyncCompleted done) {
            resyncs.put(done.cluster() + " " + done.storage(), new ResyncOutcome(event.time(), true, null));
        } else if (data instanceof ResyncFailed failed) {
            resyncs.put(failed.cluster() + " " + failed.storage(), new ResyncOutcome(event.time(), false,
                    failed.reason()));
        } else {
            return;
        }
        notifyAll();
    }

    /** Whether this restore already completed (a redelivered request is then not run again). */
    public synchronized boolean completed(String cluster, String restoreId) {
        return completed.contains(cluster + " " + restoreId);
    }

    /** Waits for the event that answers {@code requestId} (its causation); empty after {@code timeout}. */
    public synchronized Optional<Envelope<?>> awaitAnswer(String requestId, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!answers.containsKey(requestId)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return Optional.of(answers.get(requestId));
    }

    /** Waits for a resync of the storage that ended at or after {@code since}; empty after {@code timeout}. */
    public synchronized Optional<ResyncOutcome> awaitResync(String cluster, String storage, OffsetDateTime since,
                                                            Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ResyncOutcome o = resyncs.get(cluster + " " + storage);
            if (o != null && !o.time().isBefore(since)) {
                return Optional.of(o);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
