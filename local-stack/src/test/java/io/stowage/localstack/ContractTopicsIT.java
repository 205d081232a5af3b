package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.stowage.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class ContractTopicsIT {

    @Test
    void everyContractTopicExistsWithItsCleanupPolicy() throws Exception {
        List<String> names = Topics.ALL.stream().map(Topics.TopicSpec::name).toList();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()))) {
            Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                    .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList()).all().get();
            Map<String, String> policies = configs.entrySet().stream().collect(Collectors.toMap(
                    e -> e.getKey().name(), e -> e.getValue().get("cleanup.policy").value()));

            assertThat(described).containsOnlyKeys(names);
            assertThat(described.values()).allSatisfy(topic -> assertThat(topic.partitions()).hasSize(SharedKafka.PARTITIONS));
            assertThat(policies).isEqualTo(Map.of(
                    Topics.STORAGE, "delete",
                    Topics.TOPOLOGY, "compact",
                    Topics.BACKUP, "delete",
                    Topics.RESTORE, "delete",
                    Topics.RESYNC, "delete",
                    Topics.CATALOG, "compact",
                    Topics.REJECTED, "delete"));
        }
    }

    @Test
    void ensuringTopicsAgainCreatesNothing() {
        assertThat(TopicSetup.ensureTopics(SharedKafka.bootstrapServers(), SharedKafka.PARTITIONS)).isEmpty();
    }

    @Test
    void theSharedBrokerIsStartedOncePerJvm() {
        assertThat(SharedKafka.bootstrapServers()).isSameAs(SharedKafka.bootstrapServers()).startsWith("127.0.0.1:");
    }
}
