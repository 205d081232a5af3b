package io.stowage.resync.retention;

import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreEvent;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreProgress;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreStep;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The backups running restores use, as {@code stowage.restore} tells: a restore holds its backup from its request (a
 * named backup) or its start (the backup it resolved) until its outcome. A restore nothing has been heard of for the
 * lease (restore-service sends a heartbeat every few seconds while one runs) is taken for gone and holds nothing.
 */
public final class RunningRestores {
    /** A restore's backup: its storage may be unknown until it starts (then {@code null}). */
    private record Use(String cluster, String backupId, String storage, Instant lastHeard) {
    }

    private final Duration lease;
    private final Supplier<Instant> clock;
    private final Consumer<Envelope<?>> ended;
    private final Map<String, Use> byRestore = new HashMap<>();

    /**
     * @param ended told the outcome of a restore that used a backup and has just ended (its backup may go now)
     */
    public RunningRestores(Duration lease, Supplier<Instant> clock, Consumer<Envelope<?>> ended) {
        this.lease = lease;
        this.clock = clock;
        this.ended = ended;
    }

    /** Follows one event of {@code stowage.restore}. */
    public void apply(Envelope<?> event) {
        if (!(event.data() instanceof RestoreEvent data)) {
            return;
        }
        Instant at = event.time() == null ? clock.get() : event.time().toInstant();
        String endedCluster = null;
        synchronized (this) {
            if (data instanceof RestoreRequested || data instanceof RestoreStarted) {
                Instant now = clock.get();
                byRestore.values().removeIf(u -> lapsed(u, now)); // restores that never said how they ended
            }
            if (data instanceof RestoreRequested r) {
                String restoreId = r.restoreId() != null ? r.restoreId() : event.id();
                if (r.backupId() != null && !"latest".equals(r.backupId())) {
                    byRestore.put(key(r.cluster(), restoreId), new Use(r.cluster(), r.backupId(), r.storage(), at));
                }
            } else if (data instanceof RestoreStarted s) {
                byRestore.put(key(s.cluster(), s.restoreId()), new Use(s.cluster(), s.backupId(), s.storage(), at));
            } else if (data instanceof RestoreStep s) {
                renew(key(s.cluster(), s.restoreId()), at);
            } else if (data instanceof RestoreProgress p) {
                renew(key(p.cluster(), p.restoreId()), at);
            } else if (data instanceof RestoreCompleted c) {
                endedCluster = end(key(c.cluster(), c.restoreId()), at);
            } else if (data instanceof RestoreFailed f) {
                endedCluster = end(key(f.cluster(), f.restoreId()), at);
            }
        }
        if (endedCluster != null) {
            ended.accept(event);
        }
    }

    /**
     * The backups of a cluster that running restores use: {@code storage + " " + backupId}, or the backup id alone
     * for a restore whose storage is not known yet (held on every storage).
     */
    public synchronized Set<String> inUse(String cluster) {
        Instant now = clock.get();
        Set<String> out = new HashSet<>();
        for (Use u : byRestore.values()) {
            if (u.cluster().equals(cluster) && !lapsed(u, now)) {
                out.add(u.storage() == null ? u.backupId() : u.storage() + " " + u.backupId());
            }
        }
        return out;
    }

    private void renew(String key, Instant at) {
        byRestore.computeIfPresent(key, (k, u) -> at.isAfter(u.lastHeard())
                ? new Use(u.cluster(), u.backupId(), u.storage(), at) : u);
    }

    /** Forgets a restore; returns its cluster when it was holding a backup until now (not an old one replayed). */
    private String end(String key, Instant at) {
        Use u = byRestore.remove(key);
        return u != null && !lapsed(u, at) && !at.plus(lease).isBefore(clock.get()) ? u.cluster() : null;
    }

    private boolean lapsed(Use u, Instant now) {
        return u.lastHeard().plus(lease).isBefore(now);
    }

    private static String key(String cluster, String restoreId) {
        return cluster + " " + restoreId;
    }
}
