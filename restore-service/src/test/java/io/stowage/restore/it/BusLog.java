package io.stowage.restore.it;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.BusReader;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.StowageEvent;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.awaitility.Awaitility;

/** Every event on every Stowage topic from the moment it is opened, read in the background. */
final class BusLog implements AutoCloseable {
    private final BusReader reader;
    private final List<Envelope<StowageEvent>> seen = new CopyOnWriteArrayList<>();
    private final Thread collector;
    private volatile boolean collecting = true;

    BusLog(String bootstrap) {
        reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.STORAGE, Topics.TOPOLOGY, Topics.BACKUP, Topics.RESTORE,
                Topics.RESYNC, Topics.CATALOG, Topics.REJECTED), false);
        reader.poll(Duration.ofSeconds(1));
        collector = new Thread(() -> {
            while (collecting) {
                try {
                    reader.poll(Duration.ofMillis(200)).stream().filter(BusReader.Read::valid)
                            .map(BusReader.Read::event).forEach(seen::add);
                } catch (RuntimeException e) {
                    // The broker away for a while (a test stops it): read on once it is back.
                }
            }
        }, "restore-it-bus");
        collector.start();
    }

    List<Envelope<StowageEvent>> all() {
        return seen;
    }

    /** The data of every event of a type, in bus order. */
    <T extends StowageEvent> List<T> data(Class<T> type, Predicate<T> which) {
        return seen.stream().map(Envelope::data).filter(type::isInstance).map(type::cast).filter(which).toList();
    }

    List<Envelope<StowageEvent>> correlation(String correlationId) {
        return seen.stream().filter(e -> correlationId.equals(e.correlationId())).toList();
    }

    <T extends StowageEvent> Optional<T> find(Class<T> type, Predicate<T> which) {
        return data(type, which).stream().findFirst();
    }

    <T extends StowageEvent> T await(Class<T> type, Predicate<T> which, Duration timeout) {
        Awaitility.await().atMost(timeout).until(() -> find(type, which).isPresent());
        return find(type, which).orElseThrow();
    }

    @Override
    public void close() throws InterruptedException {
        collecting = false;
        collector.join(5_000);
        reader.close();
    }
}
