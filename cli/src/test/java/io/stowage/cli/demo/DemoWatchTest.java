package io.stowage.cli.demo;

import io.stowage.bus.BusReader;
import io.stowage.cli.Records;
import io.stowage.cli.Topologies;
import io.stowage.events.data.ConfigRejected;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.StowageEvent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import io.stowage.events.spec.TopologyView;

import static org.assertj.core.api.Assertions.assertThat;

class DemoWatchTest {
    private static final String ROOT = "root-id";
    private static final TopologyView VIEW = new TopologyView("local-b", List.of("local-a"), Map.of());

    private static BusReader.Read event(String id, String correlation, StowageEvent data) {
        return Records.read(Records.envelope(id, correlation, data));
    }

    private static BusReader.Read change(String id, String correlation, StorageChange change, String storage,
                                         String previousMain) {
        return event(id, correlation, new StorageChanged("demo", change, storage, previousMain, VIEW, null));
    }

    @Test
    void theFanOutIsCompleteWithAllFourInOneCorrelationAndComesInTheContractsOrder() {
        DemoWatch watch = new DemoWatch();
        BusReader.Read resync = event("2", ROOT, new ResyncRequested("demo", "local-b", null, "main changed"));
        BusReader.Read mainChanged = change(ROOT, ROOT, StorageChange.MAIN_CHANGED, "local-b", "local-a");
        BusReader.Read removed = change("3", ROOT, StorageChange.PROFILE_REMOVED, "local-b", null);
        BusReader.Read added = change("4", ROOT, StorageChange.PROFILE_ADDED, "local-a", null);

        watch.add(resync); // another topic: it may come first
        watch.add(mainChanged);
        watch.add(removed);
        assertThat(watch.fanOut("local-a", "local-b")).isEmpty();

        watch.add(added);
        assertThat(watch.fanOut("local-a", "local-b")).contains(List.of(mainChanged, resync, removed, added));
        assertThat(DemoWatch.correlationOf(List.of(mainChanged))).isEqualTo(ROOT);
    }

    @Test
    void eventsOfAnotherCorrelationOrAnotherClusterDoNotComplete() {
        DemoWatch watch = new DemoWatch();
        watch.add(change(ROOT, ROOT, StorageChange.MAIN_CHANGED, "local-b", "local-a"));
        watch.add(event("2", ROOT, new ResyncRequested("demo", "local-b", null, null)));
        watch.add(change("3", ROOT, StorageChange.PROFILE_REMOVED, "local-b", null));
        watch.add(change("4", "other", StorageChange.PROFILE_ADDED, "local-a", null));
        watch.add(event("5", ROOT, new StorageChanged("pg1", StorageChange.PROFILE_ADDED, "local-a", null, VIEW, null)));

        assertThat(watch.fanOut("local-a", "local-b")).isEmpty();
    }

    @Test
    void seesTheAppliedTopologyItWaitsForAndAnyRefusal() {
        DemoWatch watch = new DemoWatch();
        watch.add(change("1", "1", StorageChange.MAIN_SET, "local-a", null));
        watch.add(event("2", "1", Topologies.applied("demo", 1, "local-a", List.of("local-b"))));

        assertThat(watch.applied("local-a", t -> true)).map(t -> t.revision()).contains(1L);
        assertThat(watch.applied("local-b", t -> true)).isEmpty();
        assertThat(watch.storageChanges()).hasSize(1);
        assertThat(watch.rejection()).isEmpty();

        watch.add(event("3", "3", new ConfigRejected("demo", "demo.yaml", 1, "spec.storages", "two mains")));
        assertThat(watch.rejection()).map(ConfigRejected::reason).contains("two mains");
    }
}
