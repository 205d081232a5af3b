package io.stowage.resync.service;

import io.stowage.events.Envelope;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.ResyncEvent;
import io.stowage.resync.scan.CatalogDiff;

import java.util.List;

/** Where the catalog is written (the compacted topic), each change in one transaction with its outcome events. */
public interface CatalogWrites {

    /** New or changed entries, each caused by the event that reported the fact. */
    void upsert(Envelope<?> cause, List<? extends CatalogEvent> entries);

    /** A resync's changes and its outcome events (one per coalesced request), all or nothing. */
    void apply(CatalogDiff diff, List<Envelope<? extends ResyncEvent>> outcomes, Envelope<?> cause);

    /** Entries written and removed, with the events that say why, all or nothing. */
    void commit(List<? extends CatalogEvent> upserts, List<String> tombstones, List<Envelope<?>> events,
                Envelope<?> cause);

    /** Events alone, of any topic, in one transaction (a failed resync, an expiry's outcome: the catalog stays). */
    void publish(List<? extends Envelope<?>> events);
}
