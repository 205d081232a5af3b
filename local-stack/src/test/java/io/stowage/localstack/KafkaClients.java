package io.stowage.localstack;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain Kafka clients for the tests: a transactional producer and a reader that reads a topic to its end. */
final class KafkaClients {
    private KafkaClients() {
    }

    static KafkaProducer<String, String> transactionalProducer(String bootstrapServers) {
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "local-stack-it-" + UUID.randomUUID(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000),
                new StringSerializer(), new StringSerializer());
        producer.initTransactions();
        return producer;
    }

    /**
     * Every record a consumer with the given isolation sees, reading from the beginning until its
     * position passes the log end (as written, aborted records and markers included): so an absent
     * record was skipped, not merely not reached yet.
     */
    static List<ConsumerRecord<String, String>> readAll(String bootstrapServers, IsolationLevel isolation,
                                                        List<String> topics) throws ExecutionException, InterruptedException {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = topics.stream()
                    .flatMap(topic -> consumer.partitionsFor(topic).stream()
                            .map(info -> new TopicPartition(topic, info.partition())))
                    .toList();
            Map<TopicPartition, Long> logEnd = logEnd(bootstrapServers, partitions);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);

            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return partitions.stream().allMatch(p -> consumer.position(p) >= logEnd.get(p));
            });
            return seen;
        }
    }

    // The uncommitted end is where the last write landed; a read_committed consumer reaches it
    // only once every transaction before it is decided.
    private static Map<TopicPartition, Long> logEnd(String bootstrapServers, List<TopicPartition> partitions)
            throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return admin.listOffsets(
                            partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())),
                            new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }
}
