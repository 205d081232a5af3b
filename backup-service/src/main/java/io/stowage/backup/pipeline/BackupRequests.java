package io.stowage.backup.pipeline;

import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.StorageSpec;
import io.stowage.storage.StorageLayout;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks a backup request against the applied topology and says what to back up where, or why not. */
public final class BackupRequests {
    /** The outcome: a plan, or the reason for a {@code backup.failed.v1} (never both). */
    public record Decision(BackupPlan plan, String backupId, List<String> storages, String refusal) {
    }

    private BackupRequests() {
    }

    /**
     * @param eventId   the CloudEvents id of the request: the backup id when the request names none, so a redelivered
     *                  request keeps its id
     * @param now       when the backup starts
     * @param lateAfter how long after its due time a schedule's backup may start without being called late
     */
    public static Decision decide(BackupRequested request, TopologyApplied topology, String eventId, Instant now,
                                  Duration lateAfter) {
        String backupId = request.backupId() != null ? request.backupId() : derivedId(eventId);
        List<String> asked = request.storages() == null ? List.of() : request.storages();
        if (topology == null) {
            return refuse(backupId, asked, "unknown cluster " + request.cluster()
                    + ": no applied config names it (see `stowage status`)");
        }
        if (!StorageLayout.isValidBackupId(backupId)) {
            return refuse(backupId, asked, "backupId must be letters, digits, '.', '_' or '-' (at most 128)");
        }
        if (topology.main() == null) {
            // After a restore's temporary main (backupSource) is reverted, the cluster may have no storage at all.
            return refuse(backupId, asked, "cluster " + request.cluster() + " has no main storage");
        }
        List<String> names = asked.isEmpty() ? List.of(topology.main()) : asked;
        Map<String, StorageSpec> known = topology.spec().storages();
        Set<String> unknown = new TreeSet<>(names);
        unknown.removeAll(known.keySet());
        if (!unknown.isEmpty()) {
            return refuse(backupId, names, "unknown storage " + String.join(", ", unknown) + " for cluster "
                    + request.cluster() + " (its storages: " + String.join(", ", new TreeSet<>(known.keySet())) + ")");
        }
        Map<String, StorageSpec> targets = new LinkedHashMap<>();
        names.forEach(n -> targets.put(n, known.get(n)));
        Boolean late = request.dueAt() == null ? null
                : Duration.between(request.dueAt().toInstant(), now).compareTo(lateAfter) > 0;
        return new Decision(new BackupPlan(request.cluster(), backupId, topology.spec().postgres(), targets,
                request.schedule(), request.dueAt(), late), backupId, names, null);
    }

    /** A backup id from an event id: kept as is when it is a valid id (UUIDs are), otherwise made one. */
    static String derivedId(String eventId) {
        String cleaned = eventId.replaceAll("[^A-Za-z0-9._-]", "-");
        cleaned = cleaned.replaceFirst("^[^A-Za-z0-9]+", "");
        if (cleaned.isEmpty()) {
            cleaned = "b";
        }
        return cleaned.length() > 128 ? cleaned.substring(0, 128) : cleaned;
    }

    private static Decision refuse(String backupId, List<String> storages, String why) {
        return new Decision(null, backupId, storages, why);
    }
}
