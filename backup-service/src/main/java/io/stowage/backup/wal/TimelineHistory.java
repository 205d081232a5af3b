package io.stowage.backup.wal;

import io.stowage.events.data.WalArchived;
import io.stowage.postgres.WalSegments;
import io.stowage.storage.StorageLayout;

import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The history file of the timeline being received: a timeline after the first needs it beside its segments, on every
 * main it is archived to. The receiver learns it from the server; the shipper stores it once per main and timeline.
 */
final class TimelineHistory {
    private record HistoryFile(long timeline, byte[] content) {
    }

    private final String cluster;
    private final ClusterArchiver.Listener listener;
    private final Set<String> storedOn = ConcurrentHashMap.newKeySet();
    private volatile HistoryFile history;

    TimelineHistory(String cluster, ClusterArchiver.Listener listener) {
        this.cluster = cluster;
        this.listener = listener;
    }

    /** The server's history file of the timeline it writes now. */
    void received(long timeline, byte[] content) {
        history = new HistoryFile(timeline, content);
    }

    /** Stores and reports the history file of the segment's timeline on the main, unless it is there already. */
    void storeOn(ClusterArchiver.Target target, long timeline) throws IOException {
        HistoryFile h = history;
        String mark = target.name() + "/" + timeline;
        if (h == null || h.timeline() != timeline || storedOn.contains(mark)) {
            return;
        }
        String key = StorageLayout.timelineHistory(timeline);
        if (!target.storage().writeSmallIfAbsent(key, h.content())
                && !java.util.Arrays.equals(target.storage().readSmall(key), h.content())) {
            // Another server promoted to the same timeline id: its history (and WAL) stay, this one's wait.
            throw new IOException(WalSegments.historyFileName(timeline) + " on " + target.storage().describe()
                    + " is another timeline's of the same id: it is not replaced, and this timeline's WAL is "
                    + "held (two servers promoted to timeline " + timeline + ")");
        }
        listener.archived(new WalArchived(cluster, target.name(), StorageLayout.timelineHex(timeline),
                WalSegments.historyFileName(timeline), h.content().length,
                HexFormat.of().formatHex(WalShipper.sha256().digest(h.content())), (long) h.content().length,
                OffsetDateTime.now(ZoneOffset.UTC)), Duration.ZERO);
        storedOn.add(mark);
    }
}
