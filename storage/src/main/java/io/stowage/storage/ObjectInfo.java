package io.stowage.storage;

import java.time.Instant;

/**
 * An object on a storage: its key (relative to the storage's prefix), size in bytes and last change.
 *
 * @param version what tells this object from another later written under the same key (an S3 ETag, a file's
 *                identity and modification time), for {@link BackupStorage#deleteVersion}; null when unknown
 */
public record ObjectInfo(String key, long size, Instant lastModified, String version) {

    public ObjectInfo(String key, long size, Instant lastModified) {
        this(key, size, lastModified, null);
    }
}
