package io.stowage.bus.quarkus;

import io.stowage.bus.ClusterWork;
import io.stowage.bus.Refusal;
import io.stowage.bus.RequestTrail;
import io.stowage.bus.Retries;
import io.stowage.events.Envelope;
import io.stowage.events.data.StowageEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the requests of an incoming channel whose work lasts minutes or hours (backups, restores) off the channel's
 * stream, once across instances. Each request waits its cluster's turn in {@link ClusterWork}; then its trail on the
 * bus decides: answered already (a redelivery, a replay) is acknowledged without running; started by an instance
 * whose heartbeats still come (after a rebalance) is waited for; anything else runs. The record is acknowledged once
 * the operation has published its outcome, so the offset is committed only then; a refusal is nacked, which the
 * channel's failure strategy answers with {@code event.rejected.v1}. An operation that fails otherwise (the broker
 * out of reach when it publishes its outcome) is run again after a pause, as {@link Retries} says, its trail looked
 * at first: a backup whose outcome could not be published is answered once the broker is back, never as bad input.
 */
public final class LongRequests implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LongRequests.class);

    /** The work a request asks for; it publishes its own outcome, or throws a {@link Refusal}. */
    @FunctionalInterface
    public interface Operation {
        void run();
    }

    /** How long a request may go without a heartbeat before another instance takes it over, and how often to look. */
    public record Lease(Duration length, Duration recheck) {
    }

    private final ClusterWork work;
    private final RequestTrail trail;
    private final RequestTrail.Kinds kinds;
    private final Lease lease;
    private final TraceContext traces;
    private final Retries retries = Retries.standard();
    /** When each partition last moved away from this instance: a request from it is then no longer retried here. */
    private final Map<TopicPartition, Long> revokedAt = new ConcurrentHashMap<>();

    public LongRequests(ClusterWork work, RequestTrail trail, RequestTrail.Kinds kinds, Lease lease,
                        TraceContext traces) {
        this.traces = traces;
        this.work = work;
        this.trail = trail;
        this.kinds = kinds;
        this.lease = lease;
    }

    /**
     * The body of a long-requests channel's method: bad input nacked (the failure strategy rejects it), tombstones
     * and the topic's other events (outcomes, progress) acknowledged as they pass, each request of {@code type}
     * queued for {@code operation}; returns at once.
     */
    public <T extends StowageEvent> CompletionStage<Void> consume(Message<byte[]> message, Class<T> type,
                                                                  java.util.function.Consumer<Envelope<T>> operation) {
        return consume(message, type, request -> true, operation);
    }

    /**
     * As {@link #consume(Message, Class, java.util.function.Consumer)}, for an instance that handles only some
     * requests (a host agent: the clusters on its host): the others are acknowledged as they pass, for the instance
     * that handles them, in its own consumer group.
     */
    @SuppressWarnings("unchecked")
    public <T extends StowageEvent> CompletionStage<Void> consume(Message<byte[]> message, Class<T> type,
                                                                  java.util.function.Predicate<Envelope<T>> ours,
                                                                  java.util.function.Consumer<Envelope<T>> operation) {
        Optional<Envelope<StowageEvent>> event;
        try {
            event = IncomingEvents.decode(message);
        } catch (Refusal refusal) {
            return message.nack(refusal);
        }
        if (event.isEmpty() || !type.isInstance(event.get().data())) {
            return message.ack();
        }
        Envelope<T> request = (Envelope<T>) (Envelope<?>) event.get();
        if (!ours.test(request)) {
            LOG.debugf("[%s] %s %s: not handled by this instance", request.correlationId(), request.type().type(),
                    request.id());
            return message.ack();
        }
        accept(message, IncomingRecords.of(message), request, () -> operation.accept(request));
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Queues a request's operation; returns at once, so the channel goes on with the next record (other clusters'
     * requests are not held behind this one).
     */
    public void accept(Message<?> message, ConsumerRecord<?, ?> record, Envelope<? extends StowageEvent> request,
                       Operation operation) {
        TopicPartition origin = new TopicPartition(record.topic(), record.partition());
        long accepted = System.nanoTime();
        CompletionStage<ClusterWork.End> end = work.submit(request.subject(), request.id(), origin,
                () -> traces.handle(request, "run", () -> run(message, record, request, origin, accepted, operation)));
        end.whenComplete((how, failure) -> {
            if (how == ClusterWork.End.DROPPED) {
                LOG.infof("[%s] %s %s dropped here: its partition %s moved", request.correlationId(),
                        request.type().type(), request.id(), origin);
            }
        });
    }

    /** Runs the request until it has an outcome, it is refused, this instance stops or its partition moves. */
    private void run(Message<?> message, ConsumerRecord<?, ?> record, Envelope<? extends StowageEvent> request,
                     TopicPartition origin, long accepted, Operation operation) {
        String tag = "[" + request.correlationId() + "] " + request.type().type() + " " + request.id();
        for (int attempt = 1; ; attempt++) {
            RuntimeException failure = runOnce(message, record, request, origin, operation, tag);
            if (failure == null) {
                return;
            }
            if (!retries.again(failure, attempt)) {
                message.nack(failure);
                return;
            }
            Duration pause = retries.pause(attempt);
            LOG.warnf("%s: attempt %d failed (%s); tried again in %d s%s", tag, attempt, failure.getMessage(),
                    pause.toSeconds(), Retries.isTransient(failure) ? "" : " (at most "
                            + Retries.UNEXPECTED_ATTEMPTS + " attempts)");
            try {
                long until = System.nanoTime() + pause.toNanos();
                while (System.nanoTime() < until) {
                    TimeUnit.MILLISECONDS.sleep(Math.min(200, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
                    if (movedSince(origin, accepted) || work.closing()) {
                        LOG.infof("%s: not tried again here: %s", tag, work.closing() ? "this instance stops"
                                : "its partition " + origin + " moved; its next owner runs it");
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One attempt; returns the failure to retry or answer, null when the request is settled (or left to others). */
    private RuntimeException runOnce(Message<?> message, ConsumerRecord<?, ?> record,
                                     Envelope<? extends StowageEvent> request, TopicPartition origin,
                                     Operation operation, String tag) {
        try {
            RequestTrail.State state = awaitNotRunningElsewhere(record, request, origin, tag);
            if (state == RequestTrail.State.ANSWERED) {
                LOG.infof("%s: already answered on the bus, not run again", tag);
                message.ack();
                return null;
            }
            operation.run();
            if (work.closing()) {
                LOG.infof("%s: stopped with this instance; the next owner of %s runs it", tag, origin);
                return null;
            }
            message.ack();
            return null;
        } catch (Refusal refusal) {
            message.nack(refusal);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.infof("%s: interrupted before it ran; the next owner of %s runs it", tag, origin);
            return null;
        } catch (RuntimeException e) {
            if (work.closing()) {
                LOG.infof("%s: stopped with this instance (%s); the next owner of %s runs it", tag, e.getMessage(),
                        origin);
                return null;
            }
            return e;
        }
    }

    private boolean movedSince(TopicPartition origin, long accepted) {
        Long at = revokedAt.get(origin);
        return at != null && at - accepted > 0;
    }

    /** The request's state once no other instance is running it: answered, or to run. */
    private RequestTrail.State awaitNotRunningElsewhere(ConsumerRecord<?, ?> record,
                                                        Envelope<? extends StowageEvent> request,
                                                        TopicPartition origin, String tag)
            throws InterruptedException {
        boolean said = false;
        while (true) {
            RequestTrail.State state = RequestTrail.state(trail.after(origin, record.offset(), request.id(),
                    Duration.ofSeconds(60)), kinds, lease.length(), Instant.now());
            if (state != RequestTrail.State.RUNNING_ELSEWHERE) {
                return state;
            }
            if (!said) {
                LOG.infof("%s: another instance is running it (heartbeats within %s); waiting for its outcome", tag,
                        lease.length());
                said = true;
            }
            TimeUnit.MILLISECONDS.sleep(lease.recheck().toMillis());
        }
    }

    /** True once the instance is stopping. */
    public boolean closing() {
        return work.closing();
    }

    /** For the channel's rebalance listener: requests waiting here from these partitions are dropped. */
    public void revoked(Collection<TopicPartition> partitions) {
        long now = System.nanoTime();
        partitions.forEach(p -> revokedAt.put(p, now));
        work.revoked(partitions);
    }

    @Override
    public void close() {
        work.close();
    }
}
