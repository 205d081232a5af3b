package io.stowage.localstack;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import io.stowage.events.Topics;
import io.stowage.events.Topics.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/** Creates the contract's topics ({@link Topics#ALL}) on a broker, leaving existing ones as they are. */
public final class TopicSetup {
    private static final Logger LOG = Logger.getLogger(TopicSetup.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TopicSetup() {
    }

    /**
     * Creates every contract topic that is missing, with its configs and replication factor 1,
     * and waits until all of them have a leader on every partition.
     *
     * @return the topics this call created; empty when all existed already
     */
    public static Set<String> ensureTopics(String bootstrapServers, int partitions) {
        return ensureTopics(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), partitions);
    }

    /**
     * As {@link #ensureTopics(String, int)}, connecting with these Kafka client properties (on a secured broker, an
     * admin's: {@link KafkaBroker#clientProperties(BrokerUser)} with {@link BrokerUser#ADMIN}).
     */
    public static Set<String> ensureTopics(Properties clientProperties, int partitions) {
        Map<String, Object> config = new HashMap<>();
        clientProperties.stringPropertyNames().forEach(name -> config.put(name, clientProperties.getProperty(name)));
        return ensureTopics(config, partitions);
    }

    /** As {@link #ensureTopics(Properties, int)}. */
    public static Set<String> ensureTopics(Map<String, ?> clientProperties, int partitions) {
        List<NewTopic> wanted = Topics.ALL.stream().map(spec -> newTopic(spec, partitions)).toList();
        // Only the address in messages: the rest may hold a password.
        Object bootstrapServers = clientProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (Admin admin = Admin.create(new HashMap<String, Object>(clientProperties))) {
            Set<String> created = create(admin, wanted);
            awaitLeaders(admin, wanted.stream().map(NewTopic::name).toList());
            LOG.infof("Contract topics ready on %s (created: %s)", bootstrapServers, created.isEmpty() ? "none" : created);
            return created;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create the contract topics on " + bootstrapServers, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the contract topics on " + bootstrapServers, e);
        }
    }

    private static NewTopic newTopic(TopicSpec spec, int partitions) {
        return new NewTopic(spec.name(), partitions, (short) 1).configs(spec.configs());
    }

    private static Set<String> create(Admin admin, List<NewTopic> topics) throws InterruptedException, ExecutionException {
        CreateTopicsResult result = admin.createTopics(topics);
        Set<String> created = new LinkedHashSet<>();
        for (var entry : result.values().entrySet()) {
            try {
                entry.getValue().get();
                created.add(entry.getKey());
            } catch (ExecutionException e) {
                // Idempotent by design: a topic someone (or an earlier run) created is fine as it is.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return created;
    }

    // Creation returns once the controller has the topic; brokers learn of it a moment later,
    // and a producer that comes first fails with UNKNOWN_TOPIC_OR_PARTITION.
    private static void awaitLeaders(Admin admin, List<String> names) throws InterruptedException {
        Poll.until(TIMEOUT, () -> {
            try {
                Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get();
                boolean led = topics.values().stream()
                        .flatMap(topic -> topic.partitions().stream())
                        .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
                return led ? Optional.of(true) : Optional.<Boolean>empty();
            } catch (ExecutionException notYet) {
                return Optional.empty();
            }
        }).orElseThrow(() -> new IllegalStateException("Topics " + names + " have no leader after " + TIMEOUT.toSeconds() + " s"));
    }
}
