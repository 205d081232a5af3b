package io.stowage.storage;

import java.time.Instant;

/** An object on a storage: its key (relative to the storage's prefix), size in bytes and last change. */
public record ObjectInfo(String key, long size, Instant lastModified) {
}
