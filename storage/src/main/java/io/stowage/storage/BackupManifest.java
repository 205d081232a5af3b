package io.stowage.storage;

import io.stowage.events.EventJson;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Stowage's manifest of one base backup ({@code backups/<backupId>/stowage.json}), written LAST on each storage:
 * without it the backup is incomplete. Everything a resync or a restore needs to trust the objects beside it.
 *
 * @param timeline       8 hex digits, as in WAL file names
 * @param databaseBytes  the databases' size when the backup started (an estimate of the work)
 * @param tarBytes       the uncompressed tar stream's size
 * @param objects        the backup's objects, keys relative to the backup folder
 * @param correlationId  the request's correlation, to find the backup's story on the bus
 */
public record BackupManifest(
        String format,
        String backupId,
        String cluster,
        List<String> storages,
        String startLsn,
        String stopLsn,
        String timeline,
        OffsetDateTime startTime,
        OffsetDateTime stopTime,
        String systemIdentifier,
        String postgresVersion,
        long databaseBytes,
        long tarBytes,
        String compression,
        List<StoredObject> objects,
        String requestId,
        String correlationId,
        String schedule,
        OffsetDateTime dueAt,
        Boolean late) {

    /** The manifest of a backup no schedule asked for. */
    public BackupManifest(String format, String backupId, String cluster, List<String> storages, String startLsn,
                          String stopLsn, String timeline, OffsetDateTime startTime, OffsetDateTime stopTime,
                          String systemIdentifier, String postgresVersion, long databaseBytes, long tarBytes,
                          String compression, List<StoredObject> objects, String requestId, String correlationId) {
        this(format, backupId, cluster, storages, startLsn, stopLsn, timeline, startTime, stopTime, systemIdentifier,
                postgresVersion, databaseBytes, tarBytes, compression, objects, requestId, correlationId, null, null,
                null);
    }

    public static final String FORMAT = "stowage.backup.v1";

    /** Reads a manifest as stored; throws with the parser's reason when it is not one. */
    public static BackupManifest parse(byte[] json) throws IOException {
        BackupManifest m = EventJson.MAPPER.readValue(json, BackupManifest.class);
        if (!FORMAT.equals(m.format()) || m.backupId() == null || m.objects() == null) {
            throw new IOException("not a " + FORMAT + " manifest (format " + m.format() + ")");
        }
        return m;
    }

    /** The manifest as it is stored: indented JSON. */
    public byte[] toJson() throws IOException {
        return EventJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
    }

    /** One object of the backup as stored: compressed size and SHA-256 of the stored bytes. */
    public record StoredObject(String name, long sizeBytes, String sha256) {
    }
}
