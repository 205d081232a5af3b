package io.stowage.events;

import io.stowage.events.spec.StorageLocation;
import io.stowage.events.spec.StorageSpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Where a restore's inline {@code backupSource} stands in its cluster's topology (seed 1). config-service applies
 * the placement, restore-service waits for it; both decide it here, so they cannot disagree.
 *
 * <ul>
 *   <li>The source is at the same place as a configured storage: it IS that storage; nothing changes.</li>
 *   <li>The cluster has no storage: the source becomes the main for the restore, and is removed when it ends.</li>
 *   <li>Otherwise it is added as a profile, and stays one.</li>
 * </ul>
 */
public final class BackupSources {
    /** The name of a source that becomes a cluster's only storage, unless the request names it. */
    public static final String TEMPORARY_MAIN_NAME = "backup-source";

    public enum Way { CONFIGURED, TEMPORARY_MAIN, PROFILE }

    /** @param storage the name the source has (or gets) in the cluster's topology */
    public record Placement(Way way, String storage) {
    }

    private BackupSources() {
    }

    /**
     * @param requestedName the request's {@code storage}, or null
     * @param configured    the cluster's storages in the applied topology (empty when it has none)
     * @throws IllegalArgumentException when the requested name is a configured storage somewhere else
     */
    public static Placement place(String cluster, StorageSpec source, String requestedName,
                                  Map<String, StorageSpec> configured) {
        String identity = source.location(cluster).identity();
        for (Map.Entry<String, StorageSpec> e : configured.entrySet()) {
            if (e.getValue().location(cluster).identity().equals(identity)) {
                return new Placement(Way.CONFIGURED, e.getKey());
            }
        }
        if (requestedName != null && configured.containsKey(requestedName)) {
            StorageLocation there = configured.get(requestedName).location(cluster);
            throw new IllegalArgumentException("storage '" + requestedName + "' is configured at " + there.describe()
                    + ", not at the backupSource's " + source.location(cluster).describe()
                    + ": name another storage, or leave storage out");
        }
        if (configured.isEmpty()) {
            return new Placement(Way.TEMPORARY_MAIN, requestedName != null ? requestedName : TEMPORARY_MAIN_NAME);
        }
        return new Placement(Way.PROFILE, requestedName != null ? requestedName
                : TEMPORARY_MAIN_NAME + "-" + shortHash(identity));
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
