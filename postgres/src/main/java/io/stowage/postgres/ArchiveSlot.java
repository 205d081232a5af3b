package io.stowage.postgres;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The physical replication slot through which backup-service streams a cluster's WAL: one name per cluster, known
 * to restore-service too, which makes it on a restored server the moment it promotes (the new timeline's WAL is then
 * held from its first segment until archiving resumes).
 */
public final class ArchiveSlot {
    private ArchiveSlot() {
    }

    /** {@code stowage_<cluster>}, made a valid slot name (lower case, {@code [a-z0-9_]}, at most 63 characters). */
    public static String name(String cluster) {
        String plain = cluster.toLowerCase().replaceAll("[^a-z0-9_]", "_");
        if (plain.equals(cluster) && plain.length() <= 55) {
            return "stowage_" + plain;
        }
        String hash = HexFormat.of().formatHex(sha256(cluster.getBytes(StandardCharsets.UTF_8)), 0, 4);
        return "stowage_" + plain.substring(0, Math.min(plain.length(), 45)) + "_" + hash;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
