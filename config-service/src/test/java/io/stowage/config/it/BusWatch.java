package io.stowage.config.it;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.BusReader;
import io.stowage.events.Topics;
import io.stowage.events.data.ConfigRejected;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** Everything committed on the bus from the moment it is opened, for one cluster, read_committed. */
final class BusWatch implements AutoCloseable {
    private final BusReader reader;
    private final String cluster;
    private final String folder;
    private final List<BusReader.Read> seen = new ArrayList<>();

    BusWatch(String bootstrapServers, String cluster) {
        this(bootstrapServers, cluster, null);
    }

    /** Also keeps the refusals of {@code folder} and its files that name no cluster (an unreadable file or folder). */
    BusWatch(String bootstrapServers, String cluster, Path folder) {
        this.reader = new BusReader(KafkaConnection.to(bootstrapServers), List.of(Topics.STORAGE, Topics.TOPOLOGY, Topics.RESYNC,
                Topics.REJECTED), false);
        this.cluster = cluster;
        this.folder = folder == null ? null : folder.toString();
    }

    /** Waits until the records seen so far satisfy {@code condition}; returns them. */
    List<BusReader.Read> awaitUntil(Predicate<List<BusReader.Read>> condition) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            collect(reader.poll(Duration.ofMillis(100)));
            return condition.test(seen);
        });
        return List.copyOf(seen);
    }

    /** All committed records up to now (complete: nothing older is still to come). */
    List<BusReader.Read> toEnd() {
        collect(reader.readToEnd(Duration.ofSeconds(30)));
        return List.copyOf(seen);
    }

    void forget() {
        seen.clear();
    }

    private void collect(List<BusReader.Read> reads) {
        for (BusReader.Read r : reads) {
            boolean mine = cluster.equals(r.record().key())
                    || (r.valid() && cluster.equals(r.event().data().cluster()))
                    || (folder != null && r.valid() && r.event().data() instanceof ConfigRejected rejected
                    && rejected.source() != null && rejected.source().startsWith(folder));
            if (mine) {
                seen.add(r);
            }
        }
    }

    @Override
    public void close() {
        reader.close();
    }
}
