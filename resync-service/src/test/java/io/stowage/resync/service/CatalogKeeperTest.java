package io.stowage.resync.service;

import io.stowage.events.Envelope;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.data.ResyncEvent;
import io.stowage.events.data.WalArchived;
import io.stowage.resync.catalog.Catalog;
import io.stowage.resync.scan.CatalogDiff;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalog's writer with several instances: nothing is written for a cluster this instance does not hold. */
class CatalogKeeperTest {
    final Catalog catalog = new Catalog();
    final List<Object> written = new CopyOnWriteArrayList<>();
    final AtomicBoolean held = new AtomicBoolean(true);
    final AtomicLong epoch = new AtomicLong(1);
    final CatalogKeeper keeper = new CatalogKeeper(catalog, new CatalogWrites() {
        @Override
        public Map<String, Landed> upsert(Envelope<?> cause, List<? extends CatalogEvent> entries) {
            written.addAll(entries);
            return Map.of();
        }

        @Override
        public Map<String, Landed> apply(CatalogDiff diff, List<Envelope<? extends ResyncEvent>> outcomes,
                                         Envelope<?> cause) {
            written.add(diff);
            return Map.of();
        }

        @Override
        public Map<String, Landed> commit(List<? extends CatalogEvent> upserts, List<String> tombstones,
                                          List<Envelope<?>> events, Envelope<?> cause) {
            written.addAll(upserts);
            return Map.of();
        }

        @Override
        public void publish(List<? extends Envelope<?>> events) {
            written.addAll(events);
        }
    }, new CatalogKeeper.Holding() {
        @Override
        public boolean holds(String cluster) {
            return held.get();
        }

        @Override
        public long epoch(String cluster) {
            return held.get() ? epoch.get() : -1;
        }
    });

    @AfterEach
    void close() {
        keeper.close();
    }

    static Envelope<WalArchived> archived(String segment) {
        return Envelope.root("/test", new WalArchived("c1", "local", "00000001", segment, 16777216L, null));
    }

    @Test
    void aFactForAClusterThatMovedAwayIsNeitherWrittenNorSettled() {
        held.set(false);
        AtomicBoolean settled = new AtomicBoolean();
        Envelope<WalArchived> fact = archived("000000010000000000000001");
        keeper.archived(fact, fact.data(), () -> settled.set(true));
        assertThat(written).isEmpty();
        assertThat(settled).isFalse();
        assertThat(catalog.size()).isZero();
    }

    @Test
    void aResyncWhoseClusterWentAwayAndCameBackWhileItScannedWritesNothing_theFactsThatWaitedAreApplied() {
        keeper.beginResync("c1", "local");
        AtomicBoolean settled = new AtomicBoolean();
        Envelope<WalArchived> fact = archived("000000010000000000000002");
        keeper.archived(fact, fact.data(), () -> settled.set(true));
        assertThat(written).as("the fact waits for the resync").isEmpty();
        // Gone to another instance and back: a new epoch.
        epoch.incrementAndGet();
        assertThatThrownBy(() -> keeper.endResync("c1", "local", Map.of(), d -> List.of(), fact))
                .isInstanceOf(ClusterMoved.class);
        assertThat(written).noneMatch(w -> w instanceof CatalogDiff);
        assertThat(written).singleElement().isInstanceOf(CatalogWal.class);
        assertThat(settled).isTrue();
    }

    @Test
    void aResyncUnderTheSameHoldingIsWritten() {
        keeper.beginResync("c1", "local");
        CatalogDiff diff = keeper.endResync("c1", "local", Map.of(), d -> List.of(), archived("000000010000000000000003"));
        assertThat(written).containsExactly(diff);
    }
}
