package io.stowage.bus;

import io.stowage.events.Topics;
import io.stowage.events.Topics.TopicSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * The contract's topics ({@link Topics#ALL}) on a Kafka cluster: the ones missing are created, the ones there are
 * checked and never changed (a drift is reported for a person to decide on), nothing is ever deleted.
 *
 * <p>What is checked, and why it matters: a state topic ({@code stowage.topology}, {@code stowage.catalog}) must be
 * compacted only ({@code cleanup.policy=compact}: with {@code delete}, the applied topology and the catalog vanish
 * once retention passes); an audit log must not be compacted (its records are keyed by cluster: compaction would keep
 * one event per cluster); every contract topic has the same number of partitions (a cluster's records go to the same
 * partition of each, which is how one instance owns a cluster; the count is fixed at creation, as adding partitions
 * would move clusters to other partitions than their earlier records); {@code min.insync.replicas} is at least what was
 * asked for (with fewer, an acknowledged event can be lost with one broker), and the replication factor at least
 * that (with fewer, no write with {@code acks=all} succeeds). Retention of the logs is not checked: the contract
 * creates them with {@code retention.ms=-1}, and docs/events.md leaves a shorter one to the operator.
 */
public final class ContractTopics {
    private static final Logger LOG = Logger.getLogger(ContractTopics.class);

    /**
     * How the topics should be.
     *
     * @param partitions        every contract topic's partition count
     * @param replicationFactor for the topics created
     * @param minInsyncReplicas the least {@code min.insync.replicas} a topic may have (and the value created with)
     */
    public record Shape(int partitions, short replicationFactor, int minInsyncReplicas) {
        public Shape {
            if (partitions < 1 || replicationFactor < 1 || minInsyncReplicas < 1) {
                throw new IllegalArgumentException("partitions, replication factor and min.insync.replicas must be"
                        + " at least 1");
            }
            if (minInsyncReplicas > replicationFactor) {
                throw new IllegalArgumentException("min.insync.replicas " + minInsyncReplicas + " is more than the"
                        + " replication factor " + replicationFactor + ": no write could ever be acknowledged");
            }
        }
    }

    /** One way an existing topic differs from the contract. */
    public record Drift(String topic, String setting, String expected, String actual) {
        public String describe() {
            return topic + ": " + setting + " is " + actual + ", the contract wants " + expected;
        }
    }

    /**
     * @param created  the topics this run created
     * @param matching the topics there already, as the contract wants them
     * @param drifts   how the others differ (each topic may drift in several settings)
     */
    public record Report(List<String> created, List<String> matching, List<Drift> drifts) {
        public boolean clean() {
            return drifts.isEmpty();
        }
    }

    private ContractTopics() {
    }

    /** Creates the missing contract topics and checks the others; changes and deletes nothing. */
    public static Report apply(Admin admin, Shape shape) throws ExecutionException, InterruptedException {
        Set<String> existing = admin.listTopics().names().get();
        List<String> created = new ArrayList<>();
        List<NewTopic> missing = new ArrayList<>();
        for (TopicSpec spec : Topics.ALL) {
            if (!existing.contains(spec.name())) {
                Map<String, String> configs = new HashMap<>(spec.configs());
                configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(shape.minInsyncReplicas()));
                missing.add(new NewTopic(spec.name(), shape.partitions(), shape.replicationFactor()).configs(configs));
            }
        }
        if (!missing.isEmpty()) {
            for (var result : admin.createTopics(missing).values().entrySet()) {
                try {
                    result.getValue().get();
                    created.add(result.getKey());
                } catch (ExecutionException e) {
                    // Created meanwhile by someone else: checked below like any existing one.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
        List<String> toCheck = Topics.ALL.stream().map(TopicSpec::name).filter(t -> !created.contains(t)).toList();
        List<Drift> drifts = check(admin, toCheck, shape);
        List<String> matching = toCheck.stream().filter(t -> drifts.stream().noneMatch(d -> d.topic().equals(t)))
                .toList();
        return new Report(created, matching, drifts);
    }

    /** How these contract topics (which must exist) differ from the contract and the shape. */
    static List<Drift> check(Admin admin, Collection<String> names, Shape shape)
            throws ExecutionException, InterruptedException {
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
        Map<String, Config> configs = configs(admin, names);
        List<Drift> drifts = new ArrayList<>();
        for (String name : names) {
            TopicSpec spec = spec(name);
            Config config = configs.get(name);
            String policy = value(config, TopicConfig.CLEANUP_POLICY_CONFIG).orElse(TopicConfig.CLEANUP_POLICY_DELETE);
            String wanted = spec.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE;
            if (!normalised(policy).equals(wanted)) {
                drifts.add(new Drift(name, TopicConfig.CLEANUP_POLICY_CONFIG, wanted, policy));
            }
            int partitions = described.get(name).partitions().size();
            if (partitions != shape.partitions()) {
                drifts.add(new Drift(name, "partitions", String.valueOf(shape.partitions()),
                        String.valueOf(partitions)));
            }
            int minInsync = value(config, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).map(Integer::parseInt).orElse(1);
            if (minInsync < shape.minInsyncReplicas()) {
                drifts.add(new Drift(name, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                        "at least " + shape.minInsyncReplicas(), String.valueOf(minInsync)));
            }
            int replicas = described.get(name).partitions().stream().mapToInt(p -> p.replicas().size()).min()
                    .orElse(0);
            if (replicas < minInsync) {
                // Every write with acks=all (the services' producers) would fail.
                drifts.add(new Drift(name, "replication factor", "at least min.insync.replicas (" + minInsync + ")",
                        String.valueOf(replicas)));
            }
        }
        return drifts;
    }

    /**
     * For a service at start: refuses (with the reason and what to do) when a state topic it reads is not compacted
     * only. Reading such a topic would rebuild a state that loses entries as retention deletes them. Only a definite
     * answer refuses: a topic not created yet, or a broker that does not answer in time, is logged and left to the
     * service's own waiting (a broker outage must not become a restart loop).
     *
     * @throws IllegalStateException naming the topic, its policy and how to fix it
     */
    public static void requireCompacted(KafkaConnection kafka, Collection<String> stateTopics, Duration timeout) {
        Map<String, Object> config = new HashMap<>(kafka.admin("stowage-topic-check"));
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        Map<String, Config> configs = new HashMap<>();
        try (Admin admin = kafka.opened(Admin.create(config))) {
            Set<String> existing = admin.listTopics().names().get();
            List<String> present = stateTopics.stream().filter(existing::contains).toList();
            stateTopics.stream().filter(t -> !existing.contains(t)).forEach(t ->
                    LOG.warnf("state topic %s does not exist yet: `stowage topics apply` creates the contract's topics", t));
            configs.putAll(configs(admin, present));
        } catch (ExecutionException | KafkaException e) {
            LOG.warnf("could not check the state topics %s (%s): going on", stateTopics, e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (var entry : configs.entrySet()) {
            String policy = value(entry.getValue(), TopicConfig.CLEANUP_POLICY_CONFIG)
                    .orElse(TopicConfig.CLEANUP_POLICY_DELETE);
            if (!normalised(policy).equals(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                String topic = entry.getKey();
                throw new IllegalStateException("state topic " + topic + " has cleanup.policy=" + policy + ": it must"
                        + " be compact (only), or the state it holds is deleted once retention passes; fix the topic"
                        + " (kafka-configs.sh --alter --entity-type topics --entity-name " + topic
                        + " --add-config cleanup.policy=compact), then start again; `stowage topics apply` reports"
                        + " every drift");
            }
        }
    }

    private static Map<String, Config> configs(Admin admin, Collection<String> names)
            throws ExecutionException, InterruptedException {
        List<ConfigResource> resources = names.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<String, Config> out = new LinkedHashMap<>();
        admin.describeConfigs(resources).all().get().forEach((r, c) -> out.put(r.name(), c));
        return out;
    }

    private static Optional<String> value(Config config, String name) {
        ConfigEntry entry = config == null ? null : config.get(name);
        return entry == null || entry.value() == null ? Optional.empty() : Optional.of(entry.value());
    }

    /** {@code "delete,compact"} and {@code "compact, delete"} are the same policy. */
    private static String normalised(String policy) {
        return String.join(",", java.util.Arrays.stream(policy.split(",")).map(String::strip).sorted().toList());
    }

    private static TopicSpec spec(String name) {
        return Topics.ALL.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " is not a contract topic"));
    }
}
