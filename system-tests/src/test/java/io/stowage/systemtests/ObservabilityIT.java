package io.stowage.systemtests;

import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.ResyncCompleted;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.TopologyApplied;
import io.stowage.localstack.BrokerSecurity;
import io.stowage.localstack.BrokerUser;
import io.stowage.localstack.KafkaBroker;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import io.stowage.localstack.TopicSetup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.stowage.systemtests.StowageServices.BACKUP;
import static io.stowage.systemtests.StowageServices.CONFIG;
import static io.stowage.systemtests.StowageServices.RESYNC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator sees of the running services: Prometheus metrics after a backup, one trace across a main change,
 * its resync request and the resync's outcome (the W3C trace context each event carries as {@code ce_traceparent}),
 * and the health checks: readiness DOWN until a service has read its state topics, liveness DOWN once a state
 * follower has stopped for good. Metrics and traces on a plaintext broker; health on a SASL_SSL broker with ACLs,
 * which can take a right away from the service user.
 */
class ObservabilityIT {
    private static final String SOURCE = "/stowage/observability-it";
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");

    static Path work;
    static StowageServices services;
    static BusLog bus;
    static KafkaEventPublisher publisher;
    static final List<Site> sites = new ArrayList<>();
    static final List<AutoCloseable> closeLast = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("observability-it");
        String bootstrap = SharedKafka.bootstrapServers();
        services = new StowageServices(work.resolve("stack"), Map.of("bootstrap.servers", bootstrap));
        bus = new BusLog(KafkaConnection.to(bootstrap));
        publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "observability-it");
        services.start(CONFIG, BACKUP, RESYNC);
    }

    @AfterAll
    static void stop() throws Exception {
        if (services != null) {
            services.close();
        }
        for (Site site : sites) {
            site.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (bus != null) {
            bus.close();
        }
        for (AutoCloseable c : closeLast) {
            c.close();
        }
        WorkDir.removeBulk(work);
    }

    @Test
    void afterABackupBackupServiceShowsKafkaClientMetricsAndTheBackupsOfTheClusterWithItsLastSuccess()
            throws Exception {
        Site site = site("metrics");
        site.configure(false, Site.filesystem("local", true, site.storage("local")));
        bus.await(TopologyApplied.class, t -> t.cluster().equals(site.cluster), Duration.ofSeconds(60));
        String backupId = "b-" + UUID.randomUUID().toString().substring(0, 8);

        publisher.publishAndWait(Envelope.root(SOURCE, new BackupRequested(site.cluster, null, backupId)));
        bus.await(BackupCompleted.class, b -> b.backupId().equals(backupId), Duration.ofMinutes(2));
        Instant completed = Instant.now();

        String metrics = services.get(BACKUP).fetch("/q/metrics").body();
        String cluster = "cluster=\"" + site.cluster + "\"";
        assertThat(metrics).as("Kafka's own client metrics").containsPattern("(?m)^kafka_consumer_[a-z_]+\\{")
                .containsPattern("(?m)^kafka_producer_[a-z_]+\\{");
        assertThat(value(metrics, "stowage_backup_started_total", cluster)).isEqualTo(1.0);
        assertThat(value(metrics, "stowage_backup_completed_total", cluster)).isEqualTo(1.0);
        assertThat(value(metrics, "stowage_backup_duration_seconds_count", cluster)).isEqualTo(1.0);
        assertThat(value(metrics, "stowage_backup_read_bytes_sum", cluster)).isPositive();
        assertThat(value(metrics, "stowage_backup_stored_bytes_sum", cluster)).isPositive();
        double lastSuccess = value(metrics, "stowage_backup_last_success_timestamp_seconds", cluster,
                "storage=\"local\"");
        assertThat(lastSuccess).as("the last success, in Unix seconds")
                .isBetween((double) completed.minusSeconds(120).getEpochSecond(), (double) completed.getEpochSecond());
        assertThat(metrics).doesNotContain("stowage_backup_failed_total{" + cluster);
    }

    @Test
    void oneTraceHoldsAMainChange_theResyncItRequests_andTheResyncsOutcome() throws Exception {
        Site site = site("trace");
        Path a = site.storage("a");
        Path b = site.storage("b");
        site.configure(false, Site.filesystem("a", true, a) + Site.filesystem("b", false, b));
        bus.await(TopologyApplied.class, t -> t.cluster().equals(site.cluster), Duration.ofSeconds(60));

        site.configure(false, Site.filesystem("a", false, a) + Site.filesystem("b", true, b));

        BusLog.Seen mainChanged = await().atMost(Duration.ofSeconds(60)).until(() -> bus.seen(StorageChanged.class,
                c -> c.cluster().equals(site.cluster) && c.change() == StorageChange.MAIN_CHANGED), Optional::isPresent)
                .orElseThrow();
        String correlation = mainChanged.event().correlationId();
        BusLog.Seen resyncCompleted = await().atMost(Duration.ofSeconds(60)).until(() -> bus.correlation(correlation)
                .stream().filter(s -> s.event().data() instanceof ResyncCompleted r && r.storage().equals("b"))
                .findFirst(), Optional::isPresent).orElseThrow();
        BusLog.Seen resyncRequested = bus.correlation(correlation).stream()
                .filter(s -> s.event().data() instanceof ResyncRequested).findFirst().orElseThrow();

        String trace = traceId(mainChanged);
        assertThat(traceId(resyncRequested)).as("the fan-out's resync request").isEqualTo(trace);
        assertThat(traceId(resyncCompleted)).as("resync-service's outcome").isEqualTo(trace);
        assertThat(resyncCompleted.record().topic()).isEqualTo(Topics.RESYNC);
        assertThat(bus.correlation(correlation)).as("the rest of the fan-out").filteredOn(s -> s.event().data()
                instanceof StorageChanged).hasSize(3).allSatisfy(s -> assertThat(traceId(s)).isEqualTo(trace));
    }

    @Test
    void theTopologyRecordWrittenInAMainChangesTransactionIsInItsTraceToo() throws Exception {
        Site site = site("topology-trace");
        Path a = site.storage("a");
        Path b = site.storage("b");
        site.configure(false, Site.filesystem("a", true, a) + Site.filesystem("b", false, b));
        bus.await(TopologyApplied.class, t -> t.cluster().equals(site.cluster), Duration.ofSeconds(60));

        site.configure(false, Site.filesystem("a", false, a) + Site.filesystem("b", true, b));

        BusLog.Seen mainChanged = await().atMost(Duration.ofSeconds(60)).until(() -> bus.seen(StorageChanged.class,
                c -> c.cluster().equals(site.cluster) && c.change() == StorageChange.MAIN_CHANGED), Optional::isPresent)
                .orElseThrow();
        BusLog.Seen applied = await().atMost(Duration.ofSeconds(30)).until(() -> bus.seen(TopologyApplied.class,
                t -> t.cluster().equals(site.cluster) && "b".equals(t.main())), Optional::isPresent).orElseThrow();
        // The services that follow stowage.topology act on this record (backup-service moves WAL archiving to the
        // new main): what they do belongs to the main change's trace.
        assertThat(applied.event().correlationId()).isEqualTo(mainChanged.event().correlationId());
        assertThat(traceId(applied)).as("topology.applied.v1, written in the same transaction")
                .isEqualTo(traceId(mainChanged));
    }

    @Test
    void readinessIsDownUntilTheStateTopicsAreRead_thenUp() throws Exception {
        KafkaBroker secured = securedBroker();
        Path dir = secured.workDir();
        int port = secured.port();
        Map<String, String> client = secured.clientProperties(BrokerUser.SERVICE);
        secured.close();
        StowageServices health = healthServices(client);

        ServiceProcess resync = health.launch(RESYNC, "resync-before-kafka");
        HttpResponse<String> notReady = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> resync.fetch("/q/health/ready"), r -> r.statusCode() == 503);

        assertThat(notReady.body()).contains("\"stowage-startup\"").containsPattern(
                "\"name\"\\s*:\\s*\"stowage-startup\",\\s*\"status\"\\s*:\\s*\"DOWN\"");
        securedBroker = KafkaBroker.start(dir, port, BrokerSecurity.SASL_SSL);
        HttpResponse<String> ready = await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> resync.fetch("/q/health/ready"), r -> r.statusCode() == 200);
        assertThat(ready.body()).containsPattern("\"name\"\\s*:\\s*\"stowage-startup\",\\s*\"status\"\\s*:\\s*\"UP\"");
    }

    @Test
    void livenessGoesDownNamingTheFollowerWhenTheServiceUserMayNoLongerReadItsStateTopic() throws Exception {
        KafkaBroker secured = securedBroker();
        StowageServices health = healthServices(secured.clientProperties(BrokerUser.SERVICE));
        ServiceProcess resync = health.launch(RESYNC, "resync-loses-topology").awaitReady(Duration.ofSeconds(120));
        assertThat(resync.fetch("/q/health/live").statusCode()).isEqualTo(200);
        AclBinding denied = new AclBinding(new ResourcePattern(ResourceType.TOPIC, Topics.TOPOLOGY, PatternType.LITERAL),
                new AccessControlEntry(BrokerUser.SERVICE.principal(), "*", AclOperation.READ, AclPermissionType.DENY));

        try (Admin admin = Admin.create(Map.<String, Object>copyOf(secured.clientProperties(BrokerUser.ADMIN)))) {
            admin.createAcls(List.of(denied)).all().get();
            try {
                // A TopicAuthorizationException is not retriable: the follower stops, and says why.
                HttpResponse<String> down = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> resync.fetch("/q/health/live"), r -> r.statusCode() == 503);

                assertThat(down.body()).containsPattern(
                        "\"name\"\\s*:\\s*\"stowage-kafka-loops\",\\s*\"status\"\\s*:\\s*\"DOWN\"")
                        .containsPattern("\"follower stowage\\.topology\"\\s*:\\s*\"DOWN: TopicAuthorizationException");
            } finally {
                admin.deleteAcls(List.of(denied.toFilter())).all().get();
            }
        }
    }

    private static KafkaBroker securedBroker;

    /** The SASL_SSL broker of the health tests, started on first use, its topics set up by the admin. */
    private static synchronized KafkaBroker securedBroker() {
        if (securedBroker == null) {
            securedBroker = KafkaBroker.start(work.resolve("secured-kafka"), 0, BrokerSecurity.SASL_SSL);
            TopicSetup.ensureTopics(securedBroker.clientProperties(BrokerUser.ADMIN), 3);
            closeLast.add(() -> securedBroker.close());
        }
        return securedBroker;
    }

    private static StowageServices healthServices(Map<String, String> client) throws IOException {
        StowageServices health = new StowageServices(work.resolve("health-" + UUID.randomUUID()), client);
        closeLast.add(0, health);
        return health;
    }

    private static Site site(String purpose) throws IOException {
        Site site = new Site(purpose, work, services.configFolder());
        sites.add(site);
        return site;
    }

    /** The trace id of the W3C trace context the record carries in its ce_traceparent header. */
    private static String traceId(BusLog.Seen seen) {
        String header = seen.header("ce_traceparent").orElseThrow(() -> new AssertionError(
                seen.event().type().type() + " carries no ce_traceparent"));
        Matcher m = TRACEPARENT.matcher(header);
        assertThat(m.matches()).as("a W3C traceparent: " + header).isTrue();
        assertThat(seen.event().traceparent()).as("the envelope reads the header").isEqualTo(header);
        return m.group(1);
    }

    /** The value of the Prometheus series {@code name} whose labels include every one of {@code labels}. */
    private static double value(String metrics, String name, String... labels) {
        return metrics.lines().filter(line -> line.startsWith(name + "{"))
                .filter(line -> List.of(labels).stream().allMatch(line::contains))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " with " + List.of(labels)
                        + " in:\n" + metrics));
    }
}
