package io.stowage.config.kubernetes;

import io.stowage.events.Envelope;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.WalArchived;
import io.stowage.events.data.WalLag;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What config-service learns from {@code stowage.backup} for the BackupConfig resources: each cluster's last
 * completed backup and its WAL archiving (for status), and completions and failures as they happen (for Events on
 * the resource).
 */
public final class BackupActivity {

    /** A cluster's newest completed backup, by its stop time. */
    public record LastBackup(String backupId, OffsetDateTime time, List<String> storages) {
    }

    /**
     * A cluster's WAL archiving: the last segment stored and the last lag report ({@code wal.lag.v1}).
     *
     * @param lastArchived the newest segment stored (by name), or null when none was seen since the start
     * @param lag          the last lag report, or null when none was seen (or it said caught up)
     */
    public record WalArchiving(WalArchived lastArchived, WalLag lag) {
        public boolean lagging() {
            return lag != null && WalLag.LAGGING.equals(lag.state());
        }
    }

    /** Told of each completion and failure, once the resources are followed. */
    public interface Listener {
        void completed(BackupCompleted completed);

        void failed(BackupFailed failed);

        /** A segment archived, or archiving fell behind or caught up. */
        default void walChanged(String cluster) {
        }
    }

    private final Map<String, LastBackup> last = new ConcurrentHashMap<>();
    private final Map<String, WalArchiving> wal = new ConcurrentHashMap<>();
    private volatile Listener listener;
    private volatile Consumer<Envelope<StowageEvent>> follower;

    public void handle(Envelope<StowageEvent> event) {
        Consumer<Envelope<StowageEvent>> following = follower;
        if (following != null) {
            following.accept(event);
        }
        if (event.data() instanceof BackupCompleted c) {
            LastBackup backup = new LastBackup(c.backupId(), c.stopTime(), List.copyOf(c.storages()));
            last.merge(c.cluster(), backup, (old, neu) -> old.time() != null && neu.time() != null
                    && old.time().isAfter(neu.time()) ? old : neu);
            Listener l = listener;
            if (l != null) {
                l.completed(c);
            }
        } else if (event.data() instanceof BackupFailed f) {
            Listener l = listener;
            if (l != null) {
                l.failed(f);
            }
        } else if (event.data() instanceof WalArchived a && a.segment() != null && !a.segment().endsWith(".history")) {
            wal.merge(a.cluster(), new WalArchiving(a, null), (old, neu) -> new WalArchiving(
                    old.lastArchived() != null && old.lastArchived().segment().compareTo(a.segment()) > 0
                            ? old.lastArchived() : a, old.lag()));
            walChanged(a.cluster());
        } else if (event.data() instanceof WalLag lag) {
            WalLag kept = WalLag.LAGGING.equals(lag.state()) ? lag : null;
            wal.merge(lag.cluster(), new WalArchiving(null, kept), (old, neu) -> new WalArchiving(old.lastArchived(),
                    kept));
            walChanged(lag.cluster());
        }
    }

    private void walChanged(String cluster) {
        Listener l = listener;
        if (l != null) {
            l.walChanged(cluster);
        }
    }

    /** The cluster's WAL archiving as seen since this replica started. */
    public Optional<WalArchiving> wal(String cluster) {
        return Optional.ofNullable(wal.get(cluster));
    }

    public Optional<LastBackup> last(String cluster) {
        return Optional.ofNullable(last.get(cluster));
    }

    public void listen(Listener listener) {
        this.listener = listener;
    }

    /** Hands every backup event over (the Backup resources follow their backups with it). */
    public void follow(Consumer<Envelope<StowageEvent>> follower) {
        this.follower = follower;
    }
}
