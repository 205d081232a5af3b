package io.stowage.events.data;

import io.stowage.events.spec.TopologyView;

/**
 * A change of one storage's role or location.
 *
 * @param previousMain set for {@code MAIN_CHANGED}: the storage that was the main
 * @param topology     the cluster's topology after the change, secret-free
 */
public record StorageChanged(
        String cluster,
        StorageChange change,
        String storage,
        String previousMain,
        TopologyView topology,
        String reason) implements StorageEvent {
}
