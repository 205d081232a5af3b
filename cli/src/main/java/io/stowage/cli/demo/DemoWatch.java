package io.stowage.cli.demo;

import io.stowage.bus.BusReader;
import io.stowage.events.Envelope;
import io.stowage.events.data.ConfigRejected;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.TopologyApplied;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/** The demo cluster's events seen since a config change, and the questions the demo asks of them. */
final class DemoWatch {
    private final List<BusReader.Read> seen = new ArrayList<>();

    void add(BusReader.Read read) {
        if (read.valid() && DemoConfig.CLUSTER.equals(read.event().subject())) {
            seen.add(read);
        }
    }

    /** The newest applied topology whose main is {@code main} and that passes {@code check}. */
    Optional<TopologyApplied> applied(String main, Predicate<TopologyApplied> check) {
        TopologyApplied found = null;
        for (BusReader.Read r : seen) {
            if (r.event().data() instanceof TopologyApplied t && main.equals(t.main()) && check.test(t)) {
                found = t;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Every storage change seen, in order. */
    List<BusReader.Read> storageChanges() {
        return seen.stream().filter(r -> r.event().data() instanceof StorageChanged).toList();
    }

    Optional<ConfigRejected> rejection() {
        return seen.stream().map(r -> r.event().data()).filter(ConfigRejected.class::isInstance)
                .map(ConfigRejected.class::cast).reduce((first, second) -> second);
    }

    /**
     * The main change from {@code from} to {@code to} in the contract's order (MAIN_CHANGED, resync of the new
     * main, PROFILE_REMOVED of the new main, PROFILE_ADDED of the old one), once all four are there, all in the
     * correlation of the MAIN_CHANGED.
     */
    Optional<List<BusReader.Read>> fanOut(String from, String to) {
        Optional<BusReader.Read> root = find(null, d -> d instanceof StorageChanged c
                && c.change() == StorageChange.MAIN_CHANGED && to.equals(c.storage()) && from.equals(c.previousMain()));
        if (root.isEmpty()) {
            return Optional.empty();
        }
        String correlation = root.get().event().correlationId();
        List<Optional<BusReader.Read>> rest = List.of(
                find(correlation, d -> d instanceof ResyncRequested r && to.equals(r.storage())),
                find(correlation, d -> change(d, StorageChange.PROFILE_REMOVED, to)),
                find(correlation, d -> change(d, StorageChange.PROFILE_ADDED, from)));
        if (rest.stream().anyMatch(Optional::isEmpty)) {
            return Optional.empty();
        }
        List<BusReader.Read> fanOut = new ArrayList<>();
        fanOut.add(root.get());
        rest.forEach(r -> fanOut.add(r.get()));
        return Optional.of(fanOut);
    }

    private static boolean change(Object data, StorageChange change, String storage) {
        return data instanceof StorageChanged c && c.change() == change && storage.equals(c.storage());
    }

    private Optional<BusReader.Read> find(String correlation, Predicate<Object> data) {
        return seen.stream()
                .filter(r -> correlation == null || Objects.equals(correlation, r.event().correlationId()))
                .filter(r -> data.test(r.event().data()))
                .reduce((first, second) -> second);
    }

    static String correlationOf(List<BusReader.Read> fanOut) {
        Envelope<?> root = fanOut.get(0).event();
        return root.correlationId();
    }
}
