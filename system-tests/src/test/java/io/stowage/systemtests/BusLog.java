package io.stowage.systemtests;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.StowageEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Every event on every Stowage topic from the moment it is opened, read in the background as any client of the
 * broker would read it, each with the record it came in (its headers are the wire format).
 */
final class BusLog implements AutoCloseable {
    /** One event and the record that carried it. */
    record Seen(ConsumerRecord<String, byte[]> record, Envelope<StowageEvent> event) {
        /** A header's value as text, if the record has it. */
        Optional<String> header(String name) {
            Header header = record.headers().lastHeader(name);
            return header == null ? Optional.empty() : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
        }
    }

    private final BusReader reader;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Thread collector;
    private volatile boolean collecting = true;

    BusLog(KafkaConnection kafka) {
        this(kafka, event -> true);
    }

    /** Keeps only the events that {@code keep} accepts (a long run would hold every WAL fact otherwise). */
    BusLog(KafkaConnection kafka, Predicate<Envelope<StowageEvent>> keep) {
        reader = new BusReader(kafka, Topics.ALL.stream().map(Topics.TopicSpec::name).toList(), false);
        collector = new Thread(() -> {
            while (collecting) {
                try {
                    reader.poll(Duration.ofMillis(200)).stream().filter(BusReader.Read::valid)
                            .filter(read -> keep.test(read.event()))
                            .forEach(read -> seen.add(new Seen(read.record(), read.event())));
                } catch (RuntimeException e) {
                    // The broker away for a while (a test stops it): read on once it is back.
                }
            }
        }, "system-test-bus");
        collector.setDaemon(true);
        collector.start();
    }

    List<Seen> all() {
        return seen;
    }

    /** The data of every event of a type, in the order read. */
    <T extends StowageEvent> List<T> data(Class<T> type, Predicate<T> which) {
        return seen.stream().map(s -> s.event().data()).filter(type::isInstance).map(type::cast).filter(which).toList();
    }

    <T extends StowageEvent> Optional<T> find(Class<T> type, Predicate<T> which) {
        return data(type, which).stream().findFirst();
    }

    <T extends StowageEvent> T await(Class<T> type, Predicate<T> which, Duration timeout) {
        Awaitility.await().atMost(timeout).until(() -> find(type, which).isPresent());
        return find(type, which).orElseThrow();
    }

    /** The first event of a type that matches, with its record. */
    <T extends StowageEvent> Optional<Seen> seen(Class<T> type, Predicate<T> which) {
        return seen.stream().filter(s -> type.isInstance(s.event().data()) && which.test(type.cast(s.event().data())))
                .findFirst();
    }

    List<Seen> correlation(String correlationId) {
        return seen.stream().filter(s -> correlationId.equals(s.event().correlationId())).toList();
    }

    @Override
    public void close() throws InterruptedException {
        collecting = false;
        collector.join(5_000);
        reader.close();
    }
}
