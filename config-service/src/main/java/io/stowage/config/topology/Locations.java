package io.stowage.config.topology;

import io.stowage.events.spec.StorageLocation;

/** Whether two storages would write into each other's files. */
final class Locations {
    private Locations() {
    }

    /** True when one location contains the other: the same bucket (or folder) with nested prefixes. */
    static boolean overlap(StorageLocation a, StorageLocation b) {
        return overlap(a.identity(), b.identity());
    }

    /** As {@link #overlap(StorageLocation, StorageLocation)}, on identities computed once ({@code identity()}). */
    static boolean overlap(String x, String y) {
        return x.equals(y) || contains(x, y) || contains(y, x);
    }

    private static boolean contains(String outer, String inner) {
        // An empty prefix ("s3|endpoint|bucket|") is the whole bucket.
        return outer.endsWith("|") ? inner.startsWith(outer) : inner.startsWith(outer + "/");
    }
}
