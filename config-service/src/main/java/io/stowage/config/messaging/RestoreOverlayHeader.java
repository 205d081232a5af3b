package io.stowage.config.messaging;

import io.stowage.config.topology.RestoreOverlay;
import io.stowage.events.EventJson;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

import java.io.IOException;

/**
 * config-service's own bookkeeping on its {@code stowage.topology} records: what restores added beyond the files
 * (JSON, storage names and ids only). A Kafka header, not a field of the contract's data: other readers ignore
 * it, and compaction keeps it with the record, so a restart recovers it with the topology.
 */
public final class RestoreOverlayHeader {
    public static final String NAME = "stowage-restore-overlay";
    private static final Logger LOG = Logger.getLogger(RestoreOverlayHeader.class);

    private RestoreOverlayHeader() {
    }

    /** Adds the overlay to a topology record's headers; an empty overlay adds nothing. */
    public static void write(RestoreOverlay overlay, Headers headers) {
        if (overlay == null || overlay.isEmpty()) {
            return;
        }
        try {
            headers.add(NAME, EventJson.MAPPER.writeValueAsBytes(overlay));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the restore overlay: " + e.getMessage(), e);
        }
    }

    /** The overlay a record carries; {@link RestoreOverlay#NONE} when it has none or it cannot be read. */
    public static RestoreOverlay read(Headers headers) {
        Header h = headers.lastHeader(NAME);
        if (h == null || h.value() == null) {
            return RestoreOverlay.NONE;
        }
        try {
            return EventJson.MAPPER.readValue(h.value(), RestoreOverlay.class);
        } catch (IOException e) {
            LOG.warnf("ignoring an unreadable %s header: %s", NAME, e.getMessage());
            return RestoreOverlay.NONE;
        }
    }
}
