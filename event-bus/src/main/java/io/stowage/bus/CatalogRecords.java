package io.stowage.bus;

import io.stowage.events.InvalidEventException;
import io.stowage.events.data.CatalogEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.util.function.Consumer;

/**
 * Records of {@code stowage.catalog} applied to a copy of the catalog (resync-service's own, restore-service's view):
 * an entry, or a tombstone that removes one; invalid records are skipped (the catalog's writer is resync-service).
 */
public final class CatalogRecords {
    private static final Logger LOG = Logger.getLogger(CatalogRecords.class);

    private CatalogRecords() {
    }

    /**
     * @param put    keeps an entry under its key
     * @param remove forgets the entry of a key
     */
    public static void apply(ConsumerRecord<String, byte[]> record, Consumer<CatalogEvent> put,
                             Consumer<String> remove) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            remove.accept(record.key());
            return;
        }
        try {
            if (KafkaEvents.fromRecord(record).data() instanceof CatalogEvent entry) {
                put.accept(entry);
            }
        } catch (InvalidEventException e) {
            LOG.debugf("skipping an invalid catalog record at offset %d: %s", record.offset(), e.getMessage());
        }
    }
}
