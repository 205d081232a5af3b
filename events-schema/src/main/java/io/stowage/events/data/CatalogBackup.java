package io.stowage.events.data;

import java.time.OffsetDateTime;

/**
 * One base backup on one storage, as the catalog knows it.
 *
 * @param status         {@code COMPLETE} (its manifest exists and every object it lists is there with its size) or
 *                       {@code INCOMPLETE} (never offered for restore) or {@code EXPIRING} (being removed, never
 *                       offered for restore)
 * @param reason         why it is incomplete
 * @param manifestSha256 SHA-256 of its stowage.json, to tell a changed manifest from the same one
 * @param schedule       the schedule that made it, as its manifest says
 * @param late           for a schedule's backup, whether it started late
 */
public record CatalogBackup(
        String cluster,
        String storage,
        String backupId,
        String status,
        String reason,
        String startLsn,
        String stopLsn,
        String timeline,
        OffsetDateTime startTime,
        OffsetDateTime stopTime,
        Long sizeBytes,
        Long storedBytes,
        String manifestSha256,
        String schedule,
        Boolean late) implements CatalogEvent {

    /** An entry of a backup no schedule asked for (or whose manifest does not say). */
    public CatalogBackup(String cluster, String storage, String backupId, String status, String reason,
                         String startLsn, String stopLsn, String timeline, OffsetDateTime startTime,
                         OffsetDateTime stopTime, Long sizeBytes, Long storedBytes, String manifestSha256) {
        this(cluster, storage, backupId, status, reason, startLsn, stopLsn, timeline, startTime, stopTime, sizeBytes,
                storedBytes, manifestSha256, null, null);
    }

    public static final String COMPLETE = "COMPLETE";
    public static final String INCOMPLETE = "INCOMPLETE";
    /** Being removed (retention, a delete request): never offered for restore; the next expiry finishes it. */
    public static final String EXPIRING = "EXPIRING";

    @Override
    public String entryKey() {
        return key(cluster, storage, backupId);
    }

    public static String key(String cluster, String storage, String backupId) {
        return cluster + " " + storage + " backup " + backupId;
    }

    public boolean complete() {
        return COMPLETE.equals(status);
    }
}
