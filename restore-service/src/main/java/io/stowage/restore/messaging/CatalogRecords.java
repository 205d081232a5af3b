package io.stowage.restore.messaging;

import io.stowage.bus.KafkaEvents;
import io.stowage.events.InvalidEventException;
import io.stowage.events.data.CatalogEvent;
import io.stowage.restore.plan.CatalogView;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/** Records of {@code stowage.catalog} applied to the catalog view: an entry, or a tombstone that removes one. */
public final class CatalogRecords {
    private static final Logger LOG = Logger.getLogger(CatalogRecords.class);

    private CatalogRecords() {
    }

    public static void apply(CatalogView catalog, ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            catalog.remove(record.key());
            return;
        }
        try {
            if (KafkaEvents.fromRecord(record).data() instanceof CatalogEvent entry) {
                catalog.put(entry);
            }
        } catch (InvalidEventException e) {
            LOG.debugf("skipping an invalid catalog record at offset %d: %s", record.offset(), e.getMessage());
        }
    }
}
