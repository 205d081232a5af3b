package io.stowage.restore.service;

import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;

/** The restore saga's bus in memory: what is published is kept; the followed state and the answers are set. */
final class FakeRestoreBus implements RestoreBus {
    final Map<String, TopologyApplied> topologies = new HashMap<>();
    final Set<String> completedRestores = new HashSet<>();
    final List<Envelope<?>> published = new ArrayList<>();
    /** The storages whose resync (asked by someone else) the saga waited for. */
    final List<String> awaitedResyncs = new ArrayList<>();
    /** Per cluster, the correlation its current topology was applied in. */
    final Map<String, String> appliedIn = new HashMap<>();
    /** How such a resync ends; empty: not in time. */
    Optional<ResyncOutcome> profileResync = Optional.empty();
    /** What happens while the saga waits for such a resync (e.g. the catalog learns the backup). */
    Runnable onAwaitResync = () -> {
    };
    /** Each catch-up's result in turn; once used up, every catch-up succeeds. */
    final Queue<Boolean> topologyCatchUps = new ArrayDeque<>();
    final Queue<Boolean> catalogCatchUps = new ArrayDeque<>();
    /** What config-service does to the topology meanwhile, run at every topology catch-up. */
    Runnable onTopologyCatchUp = () -> { };
    /** Whether backup-service answers pause and resume. */
    boolean backupServiceAnswers = true;
    /** How a resync ends (empty: not in time); {@link #onResync} is what it wrote to the catalog. */
    Optional<ResyncOutcome> resyncOutcome = Optional.of(new ResyncOutcome(true, null));
    Runnable onResync = () -> { };

    @Override
    public boolean catchUpTopology() {
        onTopologyCatchUp.run();
        return next(topologyCatchUps);
    }

    @Override
    public boolean catchUpCatalog() {
        return next(catalogCatchUps);
    }

    private static boolean next(Queue<Boolean> results) {
        Boolean result = results.poll();
        return result == null || result;
    }

    @Override
    public Optional<TopologyApplied> topology(String cluster) {
        return Optional.ofNullable(topologies.get(cluster));
    }

    @Override
    public boolean restoreCompleted(String cluster, String restoreId) {
        return completedRestores.contains(cluster + " " + restoreId);
    }

    @Override
    public void report(Envelope<? extends StowageEvent> event) {
        published.add(event);
    }

    @Override
    public void publish(Envelope<? extends StowageEvent> event) {
        published.add(event);
    }

    @Override
    public Optional<Envelope<?>> ask(Envelope<? extends StowageEvent> request, Duration timeout) {
        published.add(request);
        if (!backupServiceAnswers) {
            return Optional.empty();
        }
        RestoreStep asked = (RestoreStep) request.data();
        return Optional.of(Envelope.causedBy(request, "/stowage/backup-service", new RestoreStep(asked.cluster(),
                asked.restoreId(), asked.step(), RestoreStepStatus.COMPLETED.wireName(), "answered")));
    }

    @Override
    public Optional<String> topologyAppliedIn(String cluster) {
        return Optional.ofNullable(appliedIn.get(cluster));
    }

    @Override
    public Optional<ResyncOutcome> awaitResync(String cluster, String storage, java.time.OffsetDateTime since,
                                               Duration timeout) {
        awaitedResyncs.add(storage);
        onAwaitResync.run();
        return profileResync;
    }

    @Override
    public Optional<ResyncOutcome> resync(Envelope<ResyncRequested> request, Duration timeout) {
        published.add(request);
        onResync.run();
        return resyncOutcome;
    }

    /** The data of what was published, in order. */
    List<StowageEvent> publishedData() {
        return published.stream().<StowageEvent>map(Envelope::data).toList();
    }
}
