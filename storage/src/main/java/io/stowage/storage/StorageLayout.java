package io.stowage.storage;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys of the storage layout (CONTRACT.md section 3), relative to a storage's prefix, and the
 * parsers that read them back during a resync:
 *
 * <pre>
 * backups/&lt;backupId&gt;/base.tar.zst            the base backup, one zstd-compressed tar stream
 * backups/&lt;backupId&gt;/&lt;tablespace oid&gt;.tar.zst  one per extra tablespace
 * backups/&lt;backupId&gt;/stowage.json            Stowage's manifest, written LAST: without it the backup is incomplete
 * wal/&lt;timeline&gt;/&lt;segment&gt;.zst                 a compressed WAL segment (timeline: 8 hex digits)
 * wal/&lt;timeline&gt;/&lt;timeline&gt;.history            a timeline history file
 * </pre>
 */
public final class StorageLayout {

    /** The folder of all base backups. */
    public static final String BACKUPS = "backups/";
    /** The folder of the continuous WAL archive (main storage only). */
    public static final String WAL = "wal/";
    /** The name of the base archive inside a backup folder. */
    public static final String BASE_ARCHIVE = "base.tar.zst";
    /** The name of Stowage's manifest inside a backup folder. */
    public static final String MANIFEST = "stowage.json";

    private static final String ARCHIVE_SUFFIX = ".tar.zst";
    private static final String WAL_SUFFIX = ".zst";
    private static final String HISTORY_SUFFIX = ".history";

    // The contract's requestId: it names a folder, so no '/', and no leading '.' or '-'.
    private static final Pattern BACKUP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern BACKUP_KEY = Pattern.compile("backups/([^/]+)/([^/]+)");
    private static final Pattern TABLESPACE_ARCHIVE = Pattern.compile("([1-9][0-9]{0,9})\\.tar\\.zst");
    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{8})[0-9A-F]{16}");
    private static final Pattern HISTORY_KEY = Pattern.compile("wal/([0-9A-F]{8})/([0-9A-F]{8})\\.history");

    private StorageLayout() {
    }

    /** True for a valid backup id: {@code [A-Za-z0-9][A-Za-z0-9._-]*}, at most 128 characters. */
    public static boolean isValidBackupId(String backupId) {
        return backupId != null && BACKUP_ID.matcher(backupId).matches();
    }

    /** {@code backups/<backupId>/}: the folder of one backup (a key prefix for {@link BackupStorage#list}). */
    public static String backupFolder(String backupId) {
        return BACKUPS + requireBackupId(backupId) + "/";
    }

    /** {@code backups/<backupId>/base.tar.zst}. */
    public static String baseArchive(String backupId) {
        return backupFolder(backupId) + BASE_ARCHIVE;
    }

    /** {@code backups/<backupId>/<tablespace oid>.tar.zst}. */
    public static String tablespaceArchive(String backupId, long tablespaceOid) {
        if (tablespaceOid <= 0 || tablespaceOid > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("not a tablespace oid: " + tablespaceOid);
        }
        return backupFolder(backupId) + tablespaceOid + ARCHIVE_SUFFIX;
    }

    /** {@code backups/<backupId>/stowage.json}: the manifest, written last. */
    public static String manifest(String backupId) {
        return backupFolder(backupId) + MANIFEST;
    }

    /** {@code wal/<timeline>/}: the WAL folder of one timeline. */
    public static String walTimelineFolder(long timeline) {
        return WAL + timelineHex(timeline) + "/";
    }

    /** {@code wal/<timeline>/<segment>.zst}, the timeline taken from the segment's name. */
    public static String walSegment(String segmentName) {
        Matcher m = segmentName == null ? null : SEGMENT.matcher(segmentName);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a WAL segment name (24 uppercase hex digits): "
                    + segmentName);
        }
        return WAL + m.group(1) + "/" + segmentName + WAL_SUFFIX;
    }

    /** {@code wal/<timeline>/<timeline>.history}. */
    public static String timelineHistory(long timeline) {
        String tli = timelineHex(timeline);
        return WAL + tli + "/" + tli + HISTORY_SUFFIX;
    }

    /** A timeline as PostgreSQL names it in file names: 8 uppercase hex digits. */
    public static String timelineHex(long timeline) {
        if (timeline <= 0 || timeline > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("not a timeline id: " + timeline);
        }
        return String.format(Locale.ROOT, "%08X", timeline);
    }

    /** The backup id of any key directly inside a backup folder ({@code backups/<id>/<file>}). */
    public static Optional<String> backupIdOf(String key) {
        Matcher m = key == null ? null : BACKUP_KEY.matcher(key);
        if (m == null || !m.matches() || !isValidBackupId(m.group(1))) {
            return Optional.empty();
        }
        return Optional.of(m.group(1));
    }

    /** The backup id when {@code key} is a backup's manifest, the mark of a complete backup. */
    public static Optional<String> backupIdOfManifest(String key) {
        return backupIdOf(key).filter(id -> key.endsWith("/" + MANIFEST));
    }

    /** True when {@code key} is a backup's base archive. */
    public static boolean isBaseArchive(String key) {
        return backupIdOf(key).isPresent() && key.endsWith("/" + BASE_ARCHIVE);
    }

    /** The tablespace oid when {@code key} is a tablespace archive of a backup. */
    public static Optional<Long> tablespaceOidOf(String key) {
        if (backupIdOf(key).isEmpty()) {
            return Optional.empty();
        }
        Matcher m = TABLESPACE_ARCHIVE.matcher(key.substring(key.lastIndexOf('/') + 1));
        if (!m.matches()) {
            return Optional.empty();
        }
        long oid = Long.parseLong(m.group(1));
        return oid <= 0xFFFFFFFFL ? Optional.of(oid) : Optional.empty();
    }

    /** The WAL segment a key holds, when it is {@code wal/<timeline>/<segment>.zst} with matching timelines. */
    public static Optional<WalSegmentKey> walSegmentOf(String key) {
        // wal/TTTTTTTT/TTTTTTTTXXXXXXXXXXXXXXXX.zst, checked by hand: a resync parses a million of these.
        if (key == null || key.length() != 41 || !key.startsWith(WAL) || key.charAt(12) != '/'
                || !key.endsWith(WAL_SUFFIX) || !key.regionMatches(4, key, 13, 8) || !upperHex(key, 13, 37)) {
            return Optional.empty();
        }
        return Optional.of(new WalSegmentKey(Long.parseLong(key, 4, 12, 16), key.substring(13, 37)));
    }

    private static boolean upperHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    /** The timeline when {@code key} is a history file {@code wal/<timeline>/<timeline>.history}. */
    public static Optional<Long> historyTimelineOf(String key) {
        Matcher m = key == null ? null : HISTORY_KEY.matcher(key);
        if (m == null || !m.matches() || !m.group(1).equals(m.group(2))) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(m.group(1), 16));
    }

    private static String requireBackupId(String backupId) {
        if (!isValidBackupId(backupId)) {
            throw new IllegalArgumentException("not a valid backup id (letters, digits, '.', '_', '-', not"
                    + " starting with '.' or '-', at most 128): " + backupId);
        }
        return backupId;
    }

    /** A WAL segment found on a storage: its timeline and its 24-hex-digit name. */
    public record WalSegmentKey(long timeline, String segmentName) {
    }
}
