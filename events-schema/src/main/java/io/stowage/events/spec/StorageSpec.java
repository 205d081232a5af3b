package io.stowage.events.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** One named storage of a cluster: its role flag, where it is, and how long it keeps backups (optional). */
public record StorageSpec(Boolean main, StorageType type, S3Spec s3, FilesystemSpec filesystem,
                          RetentionSpec retention) {

    /** A storage that keeps every backup. */
    public StorageSpec(Boolean main, StorageType type, S3Spec s3, FilesystemSpec filesystem) {
        this(main, type, s3, filesystem, null);
    }

    /** The prefix a cluster's files live under when the config names none. */
    public static String defaultPrefix(String cluster) {
        return "stowage/" + cluster;
    }

    /** True only for an explicit {@code main: true}. Not a field of its own: {@code main} carries it. */
    @JsonIgnore
    public boolean isMarkedMain() {
        return Boolean.TRUE.equals(main);
    }

    /** The same storage with its role flag set. */
    public StorageSpec withMain(boolean isMain) {
        return new StorageSpec(isMain, type, s3, filesystem, retention);
    }

    /** Where this storage is, without any secret, with the default prefix applied. */
    public StorageLocation location(String cluster) {
        if (type == StorageType.S3 && s3 != null) {
            return new StorageLocation(type, s3.bucket(), s3.region(), s3.endpointUrl(), null,
                    prefixOr(s3.prefix(), cluster));
        }
        if (type == StorageType.FILESYSTEM && filesystem != null) {
            return new StorageLocation(type, null, null, null, filesystem.path(),
                    prefixOr(filesystem.prefix(), cluster));
        }
        return new StorageLocation(type, null, null, null, null, null);
    }

    private static String prefixOr(String prefix, String cluster) {
        return prefix == null || prefix.isBlank() ? defaultPrefix(cluster) : prefix;
    }
}
