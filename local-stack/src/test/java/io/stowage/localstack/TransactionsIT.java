package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.UUID;

import io.stowage.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;

/** Stowage writes events and catalog entries atomically: the one-node broker must run the transaction coordinator. */
class TransactionsIT {
    private static final List<String> TOPICS = List.of(Topics.BACKUP, Topics.CATALOG);

    // The shared broker's topics outlive each test: every test reads only its own run's records.
    private final String run = UUID.randomUUID().toString();

    @Test
    void aCommittedTransactionIsSeenWholeAcrossTwoTopics() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        try (KafkaProducer<String, String> producer = KafkaClients.transactionalProducer(bootstrap)) {
            producer.beginTransaction();
            sendCommittedTrio(producer);
            producer.commitTransaction();
        }

        assertThat(ours(KafkaClients.readAll(bootstrap, IsolationLevel.READ_COMMITTED, TOPICS)))
                .extracting(ConsumerRecord::topic, ConsumerRecord::value)
                .containsExactlyInAnyOrder(
                        tuple(Topics.BACKUP, run + "/started"),
                        tuple(Topics.BACKUP, run + "/finished"),
                        tuple(Topics.CATALOG, run + "/entry"));
    }

    @Test
    void anAbortedTransactionIsNotSeenByReadCommitted() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        try (KafkaProducer<String, String> producer = KafkaClients.transactionalProducer(bootstrap)) {
            producer.beginTransaction();
            sendCommittedTrio(producer);
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.BACKUP, run, run + "/aborted-event"));
            producer.send(new ProducerRecord<>(Topics.CATALOG, run, run + "/aborted-entry"));
            producer.flush();
            producer.abortTransaction();
        }

        List<String> committed = values(KafkaClients.readAll(bootstrap, IsolationLevel.READ_COMMITTED, TOPICS));
        List<String> uncommitted = values(KafkaClients.readAll(bootstrap, IsolationLevel.READ_UNCOMMITTED, TOPICS));

        assertThat(committed).containsExactlyInAnyOrder(run + "/started", run + "/finished", run + "/entry");
        // Proof that the aborted records did reach the log, so their absence above is the isolation at work.
        assertThat(uncommitted).contains(run + "/aborted-event", run + "/aborted-entry");
    }

    private void sendCommittedTrio(KafkaProducer<String, String> producer) {
        producer.send(new ProducerRecord<>(Topics.BACKUP, run, run + "/started"));
        producer.send(new ProducerRecord<>(Topics.BACKUP, run, run + "/finished"));
        producer.send(new ProducerRecord<>(Topics.CATALOG, run, run + "/entry"));
    }

    private List<ConsumerRecord<String, String>> ours(List<ConsumerRecord<String, String>> records) {
        return records.stream().filter(r -> run.equals(r.key())).toList();
    }

    private List<String> values(List<ConsumerRecord<String, String>> records) {
        return ours(records).stream().map(ConsumerRecord::value).toList();
    }
}
