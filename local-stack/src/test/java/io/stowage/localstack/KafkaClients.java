package io.stowage.localstack;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
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
        return transactionalProducer(bootstrap(bootstrapServers));
    }

    /** With the broker's client properties (a secured broker's login and truststore). */
    static KafkaProducer<String, String> transactionalProducer(Map<String, String> clientProperties) {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "local-stack-it-" + UUID.randomUUID());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
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
        return readAll(bootstrap(bootstrapServers), isolation, topics);
    }

    /** With the broker's client properties (a secured broker's login and truststore). */
    static List<ConsumerRecord<String, String>> readAll(Map<String, String> clientProperties, IsolationLevel isolation,
                                                        List<String> topics) throws ExecutionException, InterruptedException {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config,
                new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = topics.stream()
                    .flatMap(topic -> consumer.partitionsFor(topic).stream()
                            .map(info -> new TopicPartition(topic, info.partition())))
                    .toList();
            Map<TopicPartition, Long> logEnd = logEnd(clientProperties, partitions);
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
    private static Map<TopicPartition, Long> logEnd(Map<String, String> clientProperties, List<TopicPartition> partitions)
            throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(new HashMap<String, Object>(clientProperties))) {
            return admin.listOffsets(
                            partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())),
                            new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    /**
     * The cluster id, asked with these properties and 5 s timeouts: long enough for a TLS handshake and a SCRAM
     * exchange, short enough that a refused client fails fast. Throws what the client throws.
     */
    static String clusterId(Map<String, String> clientProperties) throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(shortTimeouts(clientProperties))) {
            return admin.describeCluster().clusterId().get();
        }
    }

    /** Creates a topic of one partition with these properties, within 5 s. */
    static void createTopic(Map<String, String> clientProperties, String name)
            throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(shortTimeouts(clientProperties))) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get();
        }
    }

    private static Map<String, Object> shortTimeouts(Map<String, String> clientProperties) {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return config;
    }

    private static Map<String, String> bootstrap(String bootstrapServers) {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }
}
