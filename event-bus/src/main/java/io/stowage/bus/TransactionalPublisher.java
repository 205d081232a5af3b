package io.stowage.bus;

import io.stowage.events.Envelope;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a fan-out as ONE Kafka transaction with a producer of its own: a read_committed consumer sees all of its
 * records or none. The transactional id is stable per instance, so a restarted instance fences its predecessor.
 */
public class TransactionalPublisher implements AtomicPublisher, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TransactionalPublisher.class);

    private final KafkaProducer<String, byte[]> producer;
    private boolean fenced;

    /** Makes the producer; it registers its transactional id with the broker on {@link #fence()} or first use. */
    public TransactionalPublisher(KafkaConnection kafka, String transactionalId) {
        Map<String, Object> config = kafka.producer(transactionalId);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30_000);
        this.producer = kafka.opened(new KafkaProducer<>(config));
    }

    /**
     * Registers the transactional id with the broker: a predecessor with the same id is fenced and its open
     * transaction aborted. Blocks while the broker cannot be reached (up to {@code max.block.ms}).
     */
    public synchronized TransactionalPublisher fence() {
        if (!fenced) {
            producer.initTransactions();
            fenced = true;
        }
        return this;
    }

    /** Where a record of a committed transaction landed: a follower of its topic reads it at this offset. */
    public record Written(String topic, String key, int partition, long offset) {
    }

    @Override
    public void publishAtomically(List<Envelope<?>> events, List<ProducerRecord<String, byte[]>> stateRecords) {
        publishAtomicallyAt(events, stateRecords);
    }

    /**
     * As {@link #publishAtomically}, and tells where each record landed (the events first, then the state records,
     * in the order given): a service that keeps what it writes in memory and also follows the topic needs it to
     * know which of the two is newer.
     */
    public synchronized List<Written> publishAtomicallyAt(List<Envelope<?>> events,
                                                         List<ProducerRecord<String, byte[]>> stateRecords) {
        fence();
        producer.beginTransaction();
        try {
            List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
            events.forEach(event -> records.add(KafkaEvents.toRecord(event)));
            records.addAll(stateRecords);
            RecordMetadata[] sent = new RecordMetadata[records.size()];
            for (int i = 0; i < records.size(); i++) {
                int at = i;
                producer.send(records.get(i), (metadata, failure) -> sent[at] = metadata);
            }
            // Returns once every send has completed (and its callback run), and the transaction is committed.
            producer.commitTransaction();
            List<Written> written = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                written.add(new Written(sent[i].topic(), records.get(i).key(), sent[i].partition(), sent[i].offset()));
            }
            return written;
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            // Fatal for this producer: another instance with our transactional id took over.
            LOG.errorf("transactional producer cannot go on: %s", e.getMessage());
            throw e;
        } catch (KafkaException e) {
            producer.abortTransaction();
            throw e;
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
