package io.stowage.events.data;

/**
 * An incoming record a consumer refused, and why; the consumer went on.
 *
 * @param cluster the record key, when it had one
 * @param type    the CloudEvents type, when readable
 * @param id      the CloudEvents id, when readable
 */
public record EventRejected(
        String cluster,
        String topic,
        int partition,
        long offset,
        String type,
        String id,
        String consumer,
        String reason) implements RejectionEvent {
}
