package io.stowage.events.data;

/** What changed in a cluster's storage topology. */
public enum StorageChange {
    MAIN_SET, MAIN_CHANGED, PROFILE_ADDED, PROFILE_REMOVED, STORAGE_UPDATED, STORAGE_REMOVED
}
