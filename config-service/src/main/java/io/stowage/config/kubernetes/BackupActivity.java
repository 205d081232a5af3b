package io.stowage.config.kubernetes;

import io.stowage.events.Envelope;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.StowageEvent;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What config-service learns from {@code stowage.backup} for the BackupConfig resources: each cluster's last
 * completed backup (for status), and completions and failures as they happen (for Events on the resource).
 */
public final class BackupActivity {

    /** A cluster's newest completed backup, by its stop time. */
    public record LastBackup(String backupId, OffsetDateTime time, List<String> storages) {
    }

    /** Told of each completion and failure, once the resources are followed. */
    public interface Listener {
        void completed(BackupCompleted completed);

        void failed(BackupFailed failed);
    }

    private final Map<String, LastBackup> last = new ConcurrentHashMap<>();
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
        }
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
