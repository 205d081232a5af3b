package io.stowage.events.data;

import java.time.OffsetDateTime;

/**
 * One base backup on one storage, as the catalog knows it.
 *
 * @param status         {@code COMPLETE} (its manifest exists and every object it lists is there with its size) or
 *                       {@code INCOMPLETE} (never offered for restore)
 * @param reason         why it is incomplete
 * @param manifestSha256 SHA-256 of its stowage.json, to tell a changed manifest from the same one
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
        String manifestSha256) implements CatalogEvent {

    public static final String COMPLETE = "COMPLETE";
    public static final String INCOMPLETE = "INCOMPLETE";

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
