package io.stowage.bus;

import io.stowage.events.Envelope;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.List;

/** Publishes several records as ONE Kafka transaction: a read_committed consumer sees all of them or none. */
@FunctionalInterface
public interface AtomicPublisher {
    /**
     * Publishes events, then state records (a compacted topology record, catalog tombstones), atomically.
     *
     * @throws org.apache.kafka.common.KafkaException when the transaction was aborted or could not commit
     */
    void publishAtomically(List<Envelope<?>> events, List<ProducerRecord<String, byte[]>> stateRecords);
}
