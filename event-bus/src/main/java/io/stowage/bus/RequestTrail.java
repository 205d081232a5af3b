package io.stowage.bus;

import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.data.StowageEvent;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the bus already says about a request: the events it caused, read from its own partition after it (the
 * service's answers are keyed by cluster, so they follow the request there). A request delivered again, after a
 * rebalance, a restart or a replay of the log, is answered from its trail: done already, running on another
 * instance (its heartbeats still coming), or to be run.
 */
public final class RequestTrail {

    /** Where a request stands. */
    public enum State {
        /** Its outcome is on the bus: nothing to run again. */
        ANSWERED,
        /** Started by an instance whose heartbeats are fresh: that instance runs it. */
        RUNNING_ELSEWHERE,
        /** Never started, or its runner fell silent for longer than the lease: run it. */
        TO_RUN
    }

    /** The request's outcome types and the types that show it is being worked on. */
    public record Kinds(Set<EventType> outcomes, Set<EventType> heartbeats) {
    }

    private final KafkaConnection kafka;

    public RequestTrail(KafkaConnection kafka) {
        this.kafka = kafka;
    }

    /**
     * The valid events caused by the request at {@code partition}@{@code offset} whose id is {@code requestId}, in
     * the order they were written, up to the partition's end now.
     */
    public List<Envelope<StowageEvent>> after(TopicPartition partition, long offset, String requestId,
                                              Duration timeout) {
        List<Envelope<StowageEvent>> caused = new ArrayList<>();
        try (BusReader reader = BusReader.at(kafka, "stowage-request-trail", partition, offset + 1)) {
            reader.readRecordsToEnd(timeout, r -> {
                BusReader.Read read = BusReader.decode(r);
                // someone else's garbage is its consumer's to reject; here it is skipped
                if (read.valid() && requestId.equals(read.event().causationId())) {
                    caused.add(read.event());
                }
            });
        }
        return caused;
    }

    /**
     * Where a request stands, from the events it caused: answered when one is an outcome; running elsewhere when
     * the newest heartbeat is younger than {@code lease}; else to run.
     */
    public static State state(List<Envelope<StowageEvent>> caused, Kinds kinds, Duration lease, Instant now) {
        if (caused.stream().anyMatch(e -> kinds.outcomes().contains(e.type()))) {
            return State.ANSWERED;
        }
        Optional<Instant> lastBeat = caused.stream().filter(e -> kinds.heartbeats().contains(e.type()))
                .map(e -> e.time().toInstant()).max(Instant::compareTo);
        return lastBeat.isPresent() && lastBeat.get().plus(lease).isAfter(now) ? State.RUNNING_ELSEWHERE
                : State.TO_RUN;
    }
}
