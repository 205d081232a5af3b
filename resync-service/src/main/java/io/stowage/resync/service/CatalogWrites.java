package io.stowage.resync.service;

import io.stowage.events.Envelope;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.ResyncEvent;
import io.stowage.resync.scan.CatalogDiff;

import java.util.List;
import java.util.Map;

/**
 * Where the catalog is written (the compacted topic), each change in one transaction with its outcome events. Each
 * write returns where its catalog records landed, by key (empty where the writes have no offsets, as in tests).
 */
public interface CatalogWrites {

    /** Where a catalog record landed on the topic. */
    record Landed(int partition, long offset) {
    }

    /** New or changed entries, each caused by the event that reported the fact. */
    Map<String, Landed> upsert(Envelope<?> cause, List<? extends CatalogEvent> entries);

    /** A resync's changes and its outcome events (one per coalesced request), all or nothing. */
    Map<String, Landed> apply(CatalogDiff diff, List<Envelope<? extends ResyncEvent>> outcomes, Envelope<?> cause);

    /** Entries written and removed, with the events that say why, all or nothing. */
    Map<String, Landed> commit(List<? extends CatalogEvent> upserts, List<String> tombstones, List<Envelope<?>> events,
                Envelope<?> cause);

    /** Events alone, of any topic, in one transaction (a failed resync, an expiry's outcome: the catalog stays). */
    void publish(List<? extends Envelope<?>> events);
}
