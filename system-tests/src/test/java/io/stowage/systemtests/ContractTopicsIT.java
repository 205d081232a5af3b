package io.stowage.systemtests;

import io.stowage.events.Topics;
import io.stowage.localstack.KafkaBroker;
import io.stowage.localstack.ServiceProcess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code stowage topics apply} on a Kafka cluster of its own (a fresh broker, not the suite's shared one): it creates
 * the contract's topics; a state topic someone switched to {@code cleanup.policy=delete} is reported as drift, left
 * as it is, the command exits 1; and a service started there refuses with the reason.
 */
class ContractTopicsIT {
    static Path work;
    static KafkaBroker broker;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("contract-topics-it");
        broker = KafkaBroker.start(work.resolve("kafka"), 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        WorkDir.removeBulk(work);
    }

    @Test
    void applyCreatesEveryTopic_thenReportsADriftedStateTopicWithoutChangingIt_andAServiceRefusesToStartThere()
            throws Exception {
        StowageCli cli = new StowageCli(work.resolve("cli"), Map.of());
        String kafka = broker.bootstrapServers();

        StowageCli.Result first = cli.run(Duration.ofMinutes(1), "topics", "apply", "--kafka", kafka,
                "--partitions", "3");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        for (Topics.TopicSpec spec : Topics.ALL) {
            assertThat(first.out()).as(first.toString()).contains("created  " + spec.name());
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
            assertThat(policy(admin, Topics.CATALOG)).isEqualTo("compact");
            assertThat(policy(admin, Topics.BACKUP)).isEqualTo("delete");
            assertThat(admin.describeTopics(List.of(Topics.RESTORE)).allTopicNames().get().get(Topics.RESTORE)
                    .partitions()).hasSize(3);

            StowageCli.Result again = cli.run(Duration.ofMinutes(1), "topics", "apply", "--kafka", kafka);
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(again.out()).as("the existing partition count is kept as the shape")
                    .contains("3 partitions each").doesNotContain("created  ").contains("ok       " + Topics.CATALOG);

            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.CATALOG),
                    List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"),
                            AlterConfigOp.OpType.SET)))).all().get();
            StowageCli.Result drifted = cli.run(Duration.ofMinutes(1), "topics", "apply", "--kafka", kafka);
            assertThat(drifted.exitCode()).as(drifted.toString()).isEqualTo(1);
            assertThat(drifted.out()).as(drifted.toString())
                    .contains("DRIFT    stowage.catalog: cleanup.policy is delete, the contract wants compact")
                    .contains("ok       " + Topics.TOPOLOGY);
            assertThat(drifted.err()).contains("1 drift(s) from the contract; nothing was changed");
            assertThat(policy(admin, Topics.CATALOG)).as("left as it is").isEqualTo("delete");
            assertThat(admin.listTopics().names().get()).as("nothing deleted")
                    .containsAll(Topics.ALL.stream().map(Topics.TopicSpec::name).toList());
        }

        Path log = work.resolve("resync-service.log");
        ServiceProcess resync = new ServiceProcess(StowageServices.jar(StowageServices.RESYNC), Map.of(
                "kafka.bootstrap.servers", kafka, "stowage.secrets-folder", work.toString(),
                "stowage.instance-id", "topics-it", "quarkus.http.host", "127.0.0.1"), log).launch();
        try {
            await().atMost(Duration.ofMinutes(2)).until(() -> !resync.alive());
            assertThat(Files.readString(log)).contains("state topic stowage.catalog has cleanup.policy=delete: it must"
                    + " be compact (only)");
        } finally {
            resync.close();
        }
    }

    static String policy(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource).get("cleanup.policy").value();
    }
}
