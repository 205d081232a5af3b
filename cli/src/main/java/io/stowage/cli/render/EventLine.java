package io.stowage.cli.render;

import io.stowage.bus.BusReader;
import io.stowage.events.Envelope;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One record of the bus as one line a person reads:
 * {@code 2026-11-22 09:30:01  storage.changed   pg1  MAIN_CHANGED b (was a)  corr=1a2b3c4d}.
 * Invalid records are shown too, marked {@code INVALID}, with the reason.
 */
public final class EventLine {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final int TYPE_WIDTH = 18;
    private static final int CLUSTER_WIDTH = 10;

    private final ZoneId zone;

    public EventLine(ZoneId zone) {
        this.zone = zone;
    }

    public String format(BusReader.Read read) {
        if (read.valid()) {
            Envelope<?> e = read.event();
            return line(e.time().toInstant(), Text.shortType(e.type().type()), e.subject(), EventSummary.of(e.data()),
                    e.correlationId());
        }
        String where = read.record().topic() + "-" + read.record().partition() + "@" + read.record().offset();
        if (read.record().value() == null) {
            return line(recordTime(read), "tombstone", read.record().key(), where + ": state removed", null);
        }
        String type = header(read, "ce_type");
        return line(recordTime(read), "INVALID", read.record().key(),
                where + (type == null ? "" : " (" + Text.shortType(type) + ")") + ": " + read.invalidReason(),
                header(read, "ce_correlationid"));
    }

    private String line(Instant time, String type, String cluster, String summary, String correlationId) {
        return TIME.format(time.atZone(zone)) + "  " + Table.pad(type, TYPE_WIDTH)
                + Table.pad(cluster == null ? "-" : Text.clean(cluster), CLUSTER_WIDTH) + "  " + Text.clean(summary)
                + "  corr=" + Text.clean(Text.shortId(correlationId));
    }

    private static Instant recordTime(BusReader.Read read) {
        return Instant.ofEpochMilli(Math.max(0, read.record().timestamp()));
    }

    private static String header(BusReader.Read read, String name) {
        Header h = read.record().headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
