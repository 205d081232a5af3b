package io.stowage.cli.render;

import io.stowage.bus.BusReader;
import io.stowage.cli.bus.WalStatus;
import io.stowage.events.data.WalArchived;
import io.stowage.events.data.WalLag;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** The WAL archiving section of {@code stowage status}: per cluster, the last segment archived and the lag. */
final class WalStatusLines {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private WalStatusLines() {
    }

    static List<String> lines(WalStatus wal, ZoneId zone) {
        List<String> out = new ArrayList<>();
        out.add("WAL archiving (stowage.backup)");
        if (wal.clusters().isEmpty()) {
            out.add("  nothing archived yet: clusters with pitr.enabled archive their WAL to their main storage");
            return out;
        }
        wal.clusters().forEach((cluster, c) -> {
            String last = c.lastArchived().map(r -> {
                WalArchived a = (WalArchived) r.event().data();
                return "last " + a.segment() + " on " + Text.clean(a.storage()) + " at "
                        + TIME.format(r.event().time().atZoneSameInstant(zone));
            }).orElse("nothing archived yet");
            String lag = c.lastLag().map(BusReader.Read::event).map(e -> (WalLag) e.data())
                    .filter(l -> l.state().equals(WalLag.LAGGING)).map(WalStatusLines::lag).orElse("not lagging");
            out.add("  " + Text.clean(cluster) + ": " + last + "; " + lag);
        });
        return out;
    }

    /** One lag report in words. */
    static String lag(WalLag l) {
        if (l.state().equals(WalLag.CAUGHT_UP)) {
            return "wal archiving caught up on " + l.storage();
        }
        return "LAGGING on " + Text.clean(l.storage()) + ": " + l.queuedSegments() + " segments ("
                + Text.bytes(l.queuedBytes()) + ") waiting, the oldest for " + l.waitingSeconds() + " s"
                + (l.queueFull() ? ", queue full (PostgreSQL keeps the WAL meanwhile)" : "")
                + (l.lastError() == null ? "" : "; last error: " + Text.clean(l.lastError()));
    }
}
