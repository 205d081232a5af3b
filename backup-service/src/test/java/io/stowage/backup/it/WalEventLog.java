package io.stowage.backup.it;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.BusReader;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.data.WalArchived;
import io.stowage.events.data.WalLag;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Everything published on stowage.backup and stowage.restore from now on, collected in the background. */
final class WalEventLog implements AutoCloseable {
    private final List<Envelope<?>> seen = new CopyOnWriteArrayList<>();
    private final BusReader reader;
    private final Thread collector;
    private volatile boolean collecting = true;

    WalEventLog(String bootstrap) {
        reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP, Topics.RESTORE), false);
        reader.poll(Duration.ofSeconds(1));
        collector = new Thread(() -> {
            while (collecting) {
                reader.poll(Duration.ofMillis(200)).stream().filter(BusReader.Read::valid)
                        .map(BusReader.Read::event).forEach(seen::add);
            }
        }, "wal-event-log");
        collector.start();
    }

    List<Envelope<?>> seen() {
        return seen;
    }

    List<WalArchived> archived(String cluster) {
        return seen.stream().filter(e -> e.type() == EventType.WAL_ARCHIVED).map(e -> (WalArchived) e.data())
                .filter(a -> a.cluster().equals(cluster)).toList();
    }

    List<String> archivedNames(String cluster) {
        return archived(cluster).stream().map(WalArchived::segment).toList();
    }

    List<WalLag> lags(String cluster) {
        return seen.stream().filter(e -> e.type() == EventType.WAL_LAG).map(e -> (WalLag) e.data())
                .filter(l -> l.cluster().equals(cluster)).toList();
    }

    /** Waits until every segment from first to last has a wal.archived.v1; returns the latest of each by name. */
    Map<String, WalArchived> awaitArchived(String cluster, String first, String last) {
        List<String> wanted = WalChain.range(first, last);
        Map<String, WalArchived> found = new HashMap<>();
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            found.clear();
            archived(cluster).forEach(a -> found.put(a.segment(), a));
            assertThat(found).containsKeys(wanted.toArray(String[]::new));
        });
        return found;
    }

    /** Waits for backup-service's answer (the step COMPLETED, caused by the request). */
    RestoreStep awaitAnswer(Envelope<RestoreStep> request, RestoreStepName step) {
        return await().atMost(Duration.ofSeconds(90)).until(() -> answer(request, step), Optional::isPresent)
                .orElseThrow();
    }

    private Optional<RestoreStep> answer(Envelope<RestoreStep> request, RestoreStepName step) {
        return seen.stream().filter(e -> e.type() == EventType.RESTORE_STEP && request.id().equals(e.causationId()))
                .map(e -> (RestoreStep) e.data())
                .filter(s -> s.is(step) && s.is(RestoreStepStatus.COMPLETED))
                .findFirst();
    }

    @Override
    public void close() throws InterruptedException {
        collecting = false;
        collector.join(5_000);
        reader.close();
    }
}
