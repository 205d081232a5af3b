package io.stowage.cli.bus;

import io.stowage.bus.BusReader;
import io.stowage.cli.Records;
import io.stowage.events.Envelope;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import io.stowage.events.spec.TopologyView;

import static org.assertj.core.api.Assertions.assertThat;

class BatchOrderTest {

    private static BusReader.Read change(String id, StorageChange change, long offset, long time) {
        return Records.read(Records.envelope(id, "c", new StorageChanged("pg1", change, "b", null, new TopologyView("b", List.of(), Map.of()), null)), 0,
                offset, time);
    }

    @Test
    void topicsAreInterleavedByTimeAndOnePartitionKeepsItsOrder() {
        BusReader.Read mainChanged = change("1", StorageChange.MAIN_CHANGED, 10, 1000);
        BusReader.Read removed = change("3", StorageChange.PROFILE_REMOVED, 11, 1002);
        // Same partition, an earlier clock: it stays after the records before it.
        BusReader.Read added = change("4", StorageChange.PROFILE_ADDED, 12, 999);
        Envelope<ResyncRequested> resync = Records.envelope("2", "c", new ResyncRequested("pg1", "b", null, null));
        BusReader.Read resyncRead = Records.read(resync, 1, 4, 1001);

        // A poll hands them over partition by partition: the resync topic first here.
        List<BusReader.Read> ordered = BatchOrder.byTime(List.of(resyncRead, mainChanged, removed, added));

        assertThat(ordered).containsExactly(mainChanged, resyncRead, removed, added);
    }

    @Test
    void equalTimesKeepThePollsOrder() {
        BusReader.Read a = change("1", StorageChange.MAIN_SET, 1, 1000);
        BusReader.Read b = Records.read(Records.envelope("2", "c", new ResyncRequested("pg1", "b", null, null)), 0, 1, 1000);

        assertThat(BatchOrder.byTime(List.of(b, a))).containsExactly(b, a);
    }
}
