package io.stowage.bench;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor under config-service's diff-to-commit time: a bare Kafka transaction with the same five records on the
 * same three topics, from a plain producer on the same broker, paced like the main switches.
 */
final class BareTransactionFloor {
    private BareTransactionFloor() {
    }

    /** Milliseconds per transaction, sorted. */
    static double[] measure(String bootstrapServers, int transactions, long pauseMillis) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-floor",
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.ACKS_CONFIG, "all");
        byte[] value = new byte[600];
        List<String> topics = List.of("stowage.storage", "stowage.resync", "stowage.storage", "stowage.storage",
                "stowage.topology");
        double[] ms = new double[transactions];
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            for (int i = 0; i < transactions + 30; i++) {
                long start = System.nanoTime();
                producer.beginTransaction();
                for (String topic : topics) {
                    producer.send(new ProducerRecord<>(topic, "bench-floor", value));
                }
                producer.commitTransaction();
                if (i >= 30) {
                    ms[i - 30] = (System.nanoTime() - start) / 1e6;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMillis));
            }
        }
        Arrays.sort(ms);
        return ms;
    }
}
