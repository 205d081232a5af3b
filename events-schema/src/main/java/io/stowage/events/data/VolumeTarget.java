package io.stowage.events.data;

/**
 * A new PersistentVolumeClaim, in the cluster's namespace, that a restore Job fills with a promoted, cleanly shut
 * down data directory (its folder {@code pgdata}).
 *
 * @param claimName        the claim's name
 * @param storageClassName its storage class; absent means the cluster's default
 * @param size             its size, a Kubernetes quantity such as {@code 50Gi}
 */
public record VolumeTarget(String claimName, String storageClassName, String size) {
}
