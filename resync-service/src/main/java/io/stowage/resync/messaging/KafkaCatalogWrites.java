package io.stowage.resync.messaging;

import io.stowage.bus.TransactionalPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.ResyncEvent;
import io.stowage.resync.scan.CatalogDiff;
import io.stowage.resync.service.CatalogWrites;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

/**
 * The catalog on {@code stowage.catalog}: entries as CloudEvents keyed by entry, tombstones, in transactions (the
 * publisher is closed by whoever made it).
 */
public final class KafkaCatalogWrites implements CatalogWrites {
    private final TransactionalPublisher publisher;
    private final String source;

    public KafkaCatalogWrites(TransactionalPublisher publisher, String source) {
        this.publisher = publisher;
        this.source = source;
    }

    @Override
    public Map<String, Landed> upsert(Envelope<?> cause, List<? extends CatalogEvent> entries) {
        List<Envelope<?>> events = new ArrayList<>();
        entries.forEach(e -> events.add(Envelope.causedBy(cause, source, e)));
        return landed(publisher.publishAtomicallyAt(events, List.of()));
    }

    /** Where the catalog's records landed, by key. */
    private static Map<String, Landed> landed(List<TransactionalPublisher.Written> written) {
        Map<String, Landed> out = new HashMap<>();
        written.stream().filter(w -> Topics.CATALOG.equals(w.topic()) && w.key() != null)
                .forEach(w -> out.put(w.key(), new Landed(w.partition(), w.offset())));
        return out;
    }

    @Override
    public Map<String, Landed> apply(CatalogDiff diff, List<Envelope<? extends ResyncEvent>> outcomes, Envelope<?> cause) {
        List<Envelope<?>> events = new ArrayList<>();
        diff.upserts().forEach(e -> events.add(Envelope.causedBy(cause, source, e)));
        events.addAll(outcomes);
        List<ProducerRecord<String, byte[]>> tombstones = diff.tombstones().stream()
                .map(key -> new ProducerRecord<String, byte[]>(Topics.CATALOG, key, null)).toList();
        return landed(publisher.publishAtomicallyAt(events, tombstones));
    }

    @Override
    public Map<String, Landed> commit(List<? extends CatalogEvent> upserts, List<String> tombstones, List<Envelope<?>> events,
                       Envelope<?> cause) {
        List<Envelope<?>> all = new ArrayList<>();
        upserts.forEach(e -> all.add(Envelope.causedBy(cause, source, e)));
        all.addAll(events);
        return landed(publisher.publishAtomicallyAt(all, tombstones.stream()
                .map(key -> new ProducerRecord<String, byte[]>(Topics.CATALOG, key, null)).toList()));
    }

    @Override
    public void publish(List<? extends Envelope<?>> events) {
        publisher.publishAtomically(new ArrayList<>(events), List.of());
    }
}
