package io.stowage.cli.bus;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.events.Topics;
import org.apache.kafka.common.KafkaException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/** Follows the bus (committed records only) and hands over the records a filter lets through, until told to stop. */
public final class EventTail {
    private static final Duration POLL = Duration.ofMillis(500);

    /**
     * @param withState also the compacted topology topic (the catalog holds no CloudEvents, so it is never shown)
     * @param limit     stop after this many records; null to follow on
     * @param timeout   stop after this long; null to follow on
     */
    public record Options(boolean fromBeginning, boolean withState, EventFilter filter, Integer limit, Duration timeout) {
    }

    private EventTail() {
    }

    /** The topics a tail reads: every audit topic of the contract, and the topology when asked for state. */
    public static List<String> topics(boolean withState) {
        return Topics.ALL.stream()
                .filter(t -> !t.compacted() || (withState && t.name().equals(Topics.TOPOLOGY)))
                .map(Topics.TopicSpec::name)
                .toList();
    }

    /** Blocks until the limit or the timeout is reached (or forever, without them); returns how many it handed over. */
    public static int follow(KafkaConnection kafka, Options options, Consumer<BusReader.Read> sink) {
        Instant deadline = options.timeout() == null ? null : Instant.now().plus(options.timeout());
        int shown = 0;
        try (BusReader reader = new BusReader(kafka, topics(options.withState()), options.fromBeginning())) {
            while (options.limit() == null || shown < options.limit()) {
                Duration wait = POLL;
                if (deadline != null) {
                    Duration left = Duration.between(Instant.now(), deadline);
                    if (left.isNegative() || left.isZero()) {
                        break;
                    }
                    wait = left.compareTo(POLL) < 0 ? left : POLL;
                }
                for (BusReader.Read read : BatchOrder.byTime(reader.poll(wait))) {
                    if (options.filter().matches(read)) {
                        sink.accept(read);
                        shown++;
                        if (options.limit() != null && shown >= options.limit()) {
                            break;
                        }
                    }
                }
            }
        } catch (KafkaException e) {
            throw new CliFailure(KafkaRefusal.explain(e)
                    .orElseGet(() -> "reading the bus on " + kafka + " failed: " + e.getMessage()), e);
        }
        return shown;
    }
}
