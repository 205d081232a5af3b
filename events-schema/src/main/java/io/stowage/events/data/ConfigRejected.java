package io.stowage.events.data;

/**
 * A config that was refused; the applied topology stays as it was.
 *
 * @param source   the file (local mode) or resource (Kubernetes) that holds it
 * @param document which document of the file, from 1
 * @param field    the path of the offending field, e.g. {@code spec.storages.s3-us-west.s3.bucket}
 */
public record ConfigRejected(
        String cluster,
        String source,
        Integer document,
        String field,
        String reason) implements StorageEvent {
}
