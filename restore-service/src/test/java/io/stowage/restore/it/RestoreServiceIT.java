package io.stowage.restore.it;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.events.data.VolumeTarget;
import io.stowage.restore.kubernetes.RestoreJobs;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.KafkaEvents;
import io.stowage.events.Envelope;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.data.EventRejected;
import io.stowage.events.data.PitrTarget;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreEvent;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreTarget;
import io.stowage.events.data.ResyncCompleted;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.data.WalArchived;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.localstack.ApiPermissions;
import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.S3ProxyServer;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.KafkaBroker;
import io.stowage.localstack.SharedKafka;
import io.stowage.localstack.TopicSetup;
import io.stowage.localstack.SharedS3;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.stowage.events.data.RestoreStepName.FETCH_BASE_BACKUP;
import static io.stowage.events.data.RestoreStepName.FETCH_WAL;
import static io.stowage.events.data.RestoreStepName.PAUSE_ARCHIVING;
import static io.stowage.events.data.RestoreStepName.RESUME_ARCHIVING;
import static io.stowage.events.data.RestoreStepName.START_RESTORED;
import static io.stowage.events.data.RestoreStepName.STOP_PRIMARY;
import static io.stowage.events.data.RestoreStepName.STOP_RESTORED;
import static io.stowage.events.data.RestoreStepName.SWITCH_DATA_DIRECTORY;
import static io.stowage.events.data.RestoreStepName.VERIFY_BACKUP;
import static io.stowage.events.data.RestoreStepName.WAIT_PROMOTION;
import static io.stowage.events.data.RestoreStepName.WRITE_RECOVERY_SETTINGS;
import static io.stowage.events.data.RestoreStepStatus.COMPLETED;
import static io.stowage.events.data.RestoreStepStatus.SKIPPED;
import static io.stowage.events.data.RestoreStepStatus.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * restore-service with everything real around it: PostgreSQL clusters, a Kafka broker, S3Proxy, and the packaged
 * config-service (the clusters are configured by files, as through GitOps), backup-service (base backups, WAL
 * streaming, pause and resume), resync-service (the catalog) and restore-service, each its own process.
 *
 * <p>Each test has its own cluster and PostgreSQL. Rows are committed at T1, T2 and T3 into a table {@code ledger};
 * what a restore returns is read back from the restored server.
 */
class RestoreServiceIT {
    static final String BUCKET = "restore-it";
    static final String SOURCE = "/stowage/restore-it";
    static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(4);

    static Path work;
    /** The class's own broker: a test stops it for a while, which a broker shared with other classes may not do. */
    static KafkaBroker broker;
    static String bootstrap;
    static S3ProxyServer s3;
    static Path configFolder;
    static final List<ServiceProcess> services = new ArrayList<>();
    static KafkaEventPublisher publisher;
    static BusLog bus;
    static final List<PostgresCluster> servers = new ArrayList<>();
    static final List<Path> drills = new ArrayList<>();
    /** The Kubernetes API restore-service makes restore Jobs through (Fabric8's mock server, CRUD mode). */
    static KubernetesMockServer api;
    static KubernetesClient kube;
    static final String NAMESPACE = "stowage";
    static final String TEST_CLIENT = "restore-it-test";
    /** Each Pod's log, as the kubelet would serve it: what the test's run of the Job's command printed. */
    static final Map<String, String> podLogs = new java.util.concurrent.ConcurrentHashMap<>();

    /** The mock API server in CRUD mode, which also serves the Pods' logs (its CRUD mode alone has none). */
    static final class PodLogs extends KubernetesCrudDispatcher {
        private static final java.util.regex.Pattern LOG = java.util.regex.Pattern.compile(
                "/api/v1/namespaces/[^/]+/pods/([^/?]+)/log(\\?.*)?");

        @Override
        public io.fabric8.mockwebserver.http.MockResponse handleGet(String path) {
            java.util.regex.Matcher m = LOG.matcher(path);
            if (m.matches()) {
                String log = podLogs.get(m.group(1));
                return log == null ? new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(404)
                        : new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(200).setBody(log);
            }
            return super.handleGet(path);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("restore-it");
        broker = KafkaBroker.start(work.resolve("kafka"), 0);
        TopicSetup.ensureTopics(broker.bootstrapServers(), SharedKafka.PARTITIONS);
        bootstrap = broker.bootstrapServers();
        s3 = SharedS3.http();
        s3.createBucket(BUCKET);
        Path secrets = Files.createDirectories(work.resolve("secrets"));
        Path creds = Files.createDirectories(secrets.resolve("s3-creds"));
        Files.writeString(creds.resolve("AWS_ACCESS_KEY_ID"), s3.accessKeyId());
        Files.writeString(creds.resolve("AWS_SECRET_ACCESS_KEY"), s3.secretAccessKey());
        configFolder = Files.createDirectories(work.resolve("config"));
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new java.util.HashMap<>(),
                new PodLogs(), false);
        api.init(java.net.InetAddress.getLoopbackAddress(), 0);
        // The test's own requests say who sent them, so the RBAC check reads only restore-service's.
        kube = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(api.url("/"))
                .withNamespace(NAMESPACE).withTrustCerts(true).withUserAgent(TEST_CLIENT).build()).build();
        // restore-service's own Pod (its instance id is its name): the Jobs run its image.
        kube.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName("restore-it")
                .endMetadata().withNewSpec().addNewContainer().withName("restore-service")
                .withImage("stowage/restore-service:it").endContainer().endSpec().build()).create();
        bus = new BusLog(bootstrap);
        publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "restore-it");

        services.add(service("config-service", Map.of("stowage.config.folder", configFolder.toString())));
        services.add(service("resync-service", Map.of("stowage.secrets-folder", secrets.toString())));
        services.add(backupService());
        services.add(restoreService());
    }

    static final int BACKUP_SERVICE = 2;
    static final int RESTORE_SERVICE = 3;

    static ServiceProcess backupService() throws IOException {
        return service("backup-service", Map.of("stowage.secrets-folder", work.resolve("secrets").toString(),
                "stowage.wal.spool-folder", work.resolve("spool").toString()));
    }

    static ServiceProcess restoreService() throws IOException {
        return service("restore-service", Map.of("stowage.secrets-folder", work.resolve("secrets").toString(),
                "stowage.restore.stall-timeout", "10s",
                "stowage.restore.jobs.enabled", "true",
                "stowage.restore.jobs.poll", "200ms",
                "quarkus.kubernetes-client.api-server-url", api.url("/"),
                "quarkus.kubernetes-client.namespace", NAMESPACE,
                "quarkus.kubernetes-client.trust-certs", "true"));
    }

    static ServiceProcess service(String module, Map<String, String> settings) throws IOException {
        Map<String, String> properties = new java.util.HashMap<>(settings);
        properties.put("kafka.bootstrap.servers", bootstrap);
        properties.put("stowage.instance-id", "restore-it");
        return new ServiceProcess(Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar"), properties,
                work.resolve(module + ".log")).start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (Path drill : drills) {
            PostgresCluster.stopServer(drill);
        }
        for (ServiceProcess s : services) {
            s.close();
        }
        for (PostgresCluster pg : servers) {
            pg.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (kube != null) {
            kube.close();
        }
        if (api != null) {
            api.destroy();
        }
    }

    // ---- the tests ----

    @Test
    void pitrFromABackupOnAProfileReturnsExactlyTheRowsCommittedBeforeTheTarget_theOldDataIsKept() throws Exception {
        Site site = new Site("profile");
        site.configure(fs("local", true, site.storage("local")) + s3("s3", false));
        site.awaitArchiving();
        site.commit(1, "T1");
        String backupId = site.backup(List.of("s3"));
        site.commit(2, "T2");
        OffsetDateTime target = site.now();
        site.commit(3, "T3");
        site.archiveThrough("local");

        RestoreRequested request = new RestoreRequested(site.cluster, backupId, "s3", new PitrTarget(target, null),
                null, null, "pitr-" + site.suffix, null);
        Envelope<RestoreRequested> sent = publish(request);
        RestoreCompleted done = awaitCompleted(site, request.restoreId());

        assertThat(site.rows()).as("the rows committed at T1 and T2, not T3").isEqualTo("T1,T2");
        assertThat(site.pg.psql("select timeline_id from pg_control_checkpoint()")).isEqualTo("2");
        Path data = site.pg.dataDirectory();
        Path kept = data.resolveSibling(data.getFileName() + ".before-" + request.restoreId());
        assertThat(done.dataDirectory()).isEqualTo(data.toString());
        assertThat(done.previousDataDirectory()).isEqualTo(kept.toString());
        assertThat(done.storage()).isEqualTo("s3");
        assertThat(done.backupId()).isEqualTo(backupId);
        assertThat(completedSteps(sent.correlationId())).containsExactly(PAUSE_ARCHIVING, FETCH_BASE_BACKUP,
                VERIFY_BACKUP, FETCH_WAL, WRITE_RECOVERY_SETTINGS, STOP_PRIMARY, START_RESTORED, WAIT_PROMOTION,
                SWITCH_DATA_DIRECTORY, RESUME_ARCHIVING);
        assertThat(bus.correlation(sent.correlationId())).allSatisfy(e ->
                assertThat(e.source()).doesNotContain(s3.secretAccessKey()));

        // Archiving goes on from the new timeline: its first segment, once full, is archived with its history file.
        site.commit(4, "after");
        String first = site.archiveThrough("local");
        assertThat(first).startsWith("00000002");
        assertThat(bus.find(WalArchived.class, w -> w.cluster().equals(site.cluster)
                && w.segment().equals("00000002.history"))).isPresent();
        // The previous data, kept aside, starts as it was: T3 included.
        try (PostgresCluster previous = PostgresCluster.startExisting(kept, site.home.resolve("kept"))) {
            assertThat(previous.psql("select string_agg(at, ',' order by id) from ledger")).isEqualTo("T1,T2,T3");
        }
    }

    /**
     * Two restore-service instances standing for two hosts, each with the clusters whose data is on it
     * ({@code stowage.restore.serves}) and a consumer group of its own: each restore runs on its cluster's host, once,
     * and never on the other (which receives the request too, and lets it pass).
     */
    @Test
    void twoHostAgents_eachRunsTheRestoresOfItsOwnClusters_onceAndOnlyThere() throws Exception {
        Site east = new Site("east");
        Site west = new Site("west");
        Map<Site, String> backups = new java.util.HashMap<>();
        Map<Site, OffsetDateTime> targets = new java.util.HashMap<>();
        for (Site site : List.of(east, west)) {
            site.configure(fs("local", true, site.storage("local")));
            site.awaitArchiving();
            site.commit(1, "T1");
            backups.put(site, site.backup(List.of("local")));
            site.commit(2, "T2");
            targets.put(site, site.now());
            site.commit(3, "T3");
            site.archiveThrough("local");
        }
        // The restore-service that serves every cluster gives way to the two hosts' agents.
        services.get(RESTORE_SERVICE).stop();
        Map<Site, ServiceProcess> agents = new java.util.HashMap<>();
        try {
            for (Site site : List.of(east, west)) {
                String host = "host-" + site.cluster;
                agents.put(site, new ServiceProcess(Path.of("target", "quarkus-app", "quarkus-run.jar"), Map.of(
                        "kafka.bootstrap.servers", bootstrap,
                        "stowage.instance-id", host,
                        "stowage.secrets-folder", work.resolve("secrets").toString(),
                        "stowage.restore.serves", site.cluster,
                        "stowage.restore.group", "stowage-restore-" + host), work.resolve(host + ".log")).start());
            }
            Map<Site, Envelope<RestoreRequested>> sent = new java.util.HashMap<>();
            for (Site site : List.of(east, west)) {
                sent.put(site, publish(new RestoreRequested(site.cluster, backups.get(site), "local",
                        new PitrTarget(targets.get(site), null), null, null, "host-" + site.suffix, null)));
            }
            for (Site site : List.of(east, west)) {
                RestoreRequested r = sent.get(site).data();
                await().atMost(RESTORE_TIMEOUT).until(() -> !ends(site, r.restoreId()).isEmpty());
                assertThat(ends(site, r.restoreId())).singleElement().isInstanceOf(RestoreCompleted.class);
                assertThat(site.rows()).isEqualTo("T1,T2");
                assertThat(bus.data(RestoreStarted.class, e -> e.restoreId().equals(r.restoreId()))).hasSize(1);
            }
            for (Site site : List.of(east, west)) {
                Site other = site == east ? west : east;
                String log = Files.readString(work.resolve("host-" + site.cluster + ".log"));
                assertThat(log).contains("restore " + sent.get(site).data().restoreId() + " of " + site.cluster
                        + " completed");
                assertThat(log).doesNotContain(sent.get(other).data().restoreId());
            }
        } finally {
            for (ServiceProcess agent : agents.values()) {
                agent.stop();
            }
            services.set(RESTORE_SERVICE, restoreService());
        }
    }

    @Test
    void aRestoreServiceKilledMidRestore_onceRestarted_runsTheSameRestoreToItsEnd_theOldDataIsKept() throws Exception {
        Site site = new Site("killed");
        site.configure(fs("local", true, site.storage("local")));
        site.awaitArchiving();
        site.commit(1, "T1");
        String backupId = site.backup(List.of("local"));
        site.commit(2, "T2");
        OffsetDateTime target = site.now();
        site.commit(3, "T3");
        site.archiveThrough("local");

        RestoreRequested request = new RestoreRequested(site.cluster, backupId, "local", new PitrTarget(target, null),
                null, true, "killed-" + site.suffix, null);
        Envelope<RestoreRequested> sent = publish(request);
        // A crash at the worst moment: the copy is fetched and the primary stopped, nothing promoted yet.
        bus.await(RestoreStep.class, s -> s.restoreId().equals(request.restoreId())
                && s.is(STOP_PRIMARY) && s.is(COMPLETED), RESTORE_TIMEOUT);
        int restoreService = services.size() - 1;
        services.get(restoreService).kill();
        services.set(restoreService, restoreService());

        RestoreCompleted done = awaitCompleted(site, request.restoreId());
        assertThat(bus.data(RestoreStarted.class, r -> r.restoreId().equals(request.restoreId())))
                .as("the request, not committed by the killed instance, ran again").hasSize(2);
        assertThat(bus.data(RestoreStep.class, s -> s.restoreId().equals(request.restoreId())
                && s.is(SKIPPED)).stream().map(RestoreStep::step))
                .as("what the first run did is not done again")
                .contains(FETCH_BASE_BACKUP.wireName(), STOP_PRIMARY.wireName());
        assertThat(site.rows()).isEqualTo("T1,T2");
        assertThat(site.pg.psql("select pg_is_in_recovery()")).as("a primary, not a standby").isEqualTo("f");
        assertThat(site.pg.psql("select timeline_id from pg_control_checkpoint()")).isEqualTo("2");
        // backupAfterRestore: a base backup of the restored cluster, on its new timeline.
        BackupCompleted after = bus.await(BackupCompleted.class, b -> b.cluster().equals(site.cluster)
                && b.backupId().equals("after-" + request.restoreId()), Duration.ofMinutes(2));
        assertThat(after.timeline()).isEqualTo("00000002");
        assertThat(done.previousDataDirectory()).isNotNull();
        try (PostgresCluster previous = PostgresCluster.startExisting(Path.of(done.previousDataDirectory()),
                site.home.resolve("kept"))) {
            assertThat(previous.psql("select string_agg(at, ',' order by id) from ledger")).isEqualTo("T1,T2,T3");
        }
        assertThat(sent.correlationId()).isNotBlank();
    }

    /**
     * Issue 13, item 1: the broker goes away as the primary is stopped, for longer than a publish waits (30 s). The
     * restore goes on without it (its steps are reports, never waited for), so the cluster has a primary again, the
     * restored one; once the broker is back the same request is run again (a transient failure, not bad input), goes
     * on from its state file, resumes archiving and completes.
     */
    @Test
    void theBrokerGoneFromStopPrimaryOn_theClusterHasAPrimaryAllTheSame_andTheRestoreCompletesOnceItIsBack()
            throws Exception {
        Site site = new Site("outage");
        site.configure(fs("local", true, site.storage("local")));
        site.awaitArchiving();
        site.commit(1, "T1");
        String backupId = site.backup(List.of("local"));
        site.commit(2, "T2");
        OffsetDateTime target = site.now();
        site.commit(3, "T3");
        site.archiveThrough("local");

        RestoreRequested request = new RestoreRequested(site.cluster, backupId, "local", new PitrTarget(target, null),
                null, null, "outage-" + site.suffix, null);
        Envelope<RestoreRequested> sent = publish(request);
        bus.await(RestoreStep.class, s -> s.restoreId().equals(request.restoreId()) && s.is(STOP_PRIMARY)
                && s.is(STARTED), RESTORE_TIMEOUT);
        int port = broker.port();
        broker.close();
        try {
            // Past the 30 s a publish waits for the broker, the cluster answers as a primary with the restored rows.
            await().pollDelay(Duration.ofSeconds(35)).atMost(Duration.ofSeconds(120)).ignoreExceptions()
                    .until(() -> site.pg.psql("select pg_is_in_recovery()").equals("f")
                            && site.rows().equals("T1,T2"));
        } finally {
            broker = KafkaBroker.start(work.resolve("kafka"), port);
        }

        RestoreCompleted done = awaitCompleted(site, request.restoreId());
        assertThat(done.previousDataDirectory()).isNotNull();
        assertThat(bus.find(EventRejected.class, r -> sent.id().equals(r.id())))
                .as("a broker out of reach is not bad input").isEmpty();
        assertThat(site.rows()).isEqualTo("T1,T2");
        // Archiving was resumed: the new timeline's WAL reaches the main.
        site.commit(4, "after");
        assertThat(site.archiveThrough("local")).startsWith("00000002");
    }

    /**
     * Issue 13, item 13 (it was a guess; this test proved it): between the promotion and resume-archiving the new
     * timeline's WAL had no slot to hold it, so a cluster that wrote and checkpointed meanwhile recycled the
     * timeline's first segments, and backup-service, back, could not archive them. The restore now makes the
     * archiver's slot on the copy as it promotes: the segments stay until they are archived.
     */
    @Test
    void theNewTimelinesWalIsHeldUntilItIsArchived_thoughTheClusterWritesAndCheckpointsBeforeArchivingResumes()
            throws Exception {
        Site site = new Site("hold");
        site.configure(fs("local", true, site.storage("local")));
        site.awaitArchiving();
        site.commit(1, "T1");
        String backupId = site.backup(List.of("local"));
        // The catalog lists it once resync-service has read its manifest: a restore asked before is refused.
        bus.await(CatalogBackup.class, b -> b.backupId().equals(backupId) && b.storage().equals("local"),
                Duration.ofSeconds(60));
        RestoreRequested request = new RestoreRequested(site.cluster, backupId, "local", null, null, null,
                "hold-" + site.suffix, null);
        publish(request);
        // backup-service answers the pause, then dies: nobody archives the new timeline until it is back.
        bus.await(RestoreStep.class, s -> s.restoreId().equals(request.restoreId()) && s.is(PAUSE_ARCHIVING)
                && s.is(COMPLETED), RESTORE_TIMEOUT);
        services.get(BACKUP_SERVICE).kill();
        String first;
        try {
            bus.await(RestoreStep.class, s -> s.restoreId().equals(request.restoreId())
                    && s.is(SWITCH_DATA_DIRECTORY) && s.is(COMPLETED), RESTORE_TIMEOUT);
            first = site.pg.psql("select pg_walfile_name(pg_current_wal_lsn())");
            assertThat(first).startsWith("00000002");
            for (int i = 0; i < 3; i++) {
                site.pg.pgbench("-i", "-s", "1", "-q");
                site.pg.psql("select pg_switch_wal()");
                site.pg.psql("checkpoint");
            }
            assertThat(site.pg.psql("select count(*) from pg_ls_waldir() where name = '" + first + "'"))
                    .as("the new timeline's first segment, still in pg_wal after checkpoints").isEqualTo("1");
        } finally {
            services.set(BACKUP_SERVICE, backupService());
        }

        awaitCompleted(site, request.restoreId());
        String last = site.pg.psql("select pg_walfile_name(pg_current_wal_lsn())");
        site.pg.psql("select pg_switch_wal()");
        await().atMost(Duration.ofSeconds(120)).until(() -> bus.find(WalArchived.class,
                w -> w.cluster().equals(site.cluster) && w.segment().equals(last)).isPresent());
        assertThat(bus.find(WalArchived.class, w -> w.cluster().equals(site.cluster) && w.segment().equals(first)))
                .as("the timeline's first segment is archived").isPresent();
    }

    @Test
    void pitrAcrossAMainChangeReadsTheWalFromBothStorages() throws Exception {
        Site site = new Site("switch");
        Path local = site.storage("local");
        site.configure(fs("local", true, local) + s3("s3", false));
        site.awaitArchiving();
        site.commit(1, "T1");
        String backupId = site.backup(List.of("local", "s3"));
        site.archiveThrough("local");

        site.configure(fs("local", false, local) + s3("s3", true));
        bus.await(TopologyApplied.class, t -> t.cluster().equals(site.cluster) && "s3".equals(t.main()),
                Duration.ofSeconds(30));
        site.commit(2, "T2");
        String lsn = site.pg.psql("select pg_current_wal_lsn()");
        site.commit(3, "T3");
        String last = site.archiveThrough("s3");
        assertThat(bus.data(WalArchived.class, w -> w.cluster().equals(site.cluster)))
                .extracting(WalArchived::storage).as("the WAL is on both storages").contains("local", "s3");

        RestoreRequested request = new RestoreRequested(site.cluster, "latest", "local", new PitrTarget(null, lsn),
                null, null, "switch-" + site.suffix, null);
        Envelope<RestoreRequested> sent = publish(request);
        RestoreCompleted done = awaitCompleted(site, request.restoreId());

        assertThat(done.backupId()).isEqualTo(backupId);
        assertThat(site.rows()).isEqualTo("T1,T2");
        RestoreStep fetched = bus.find(RestoreStep.class, s -> s.restoreId().equals(request.restoreId())
                && s.is(FETCH_WAL) && s.is(COMPLETED)).orElseThrow();
        assertThat(fetched.detail()).contains("WAL segments");
        assertThat(last).isNotBlank();
        assertThat(sent.correlationId()).isNotBlank();
    }

    @Test
    void aCorruptedBackupFailsTheRestoreWithAClearReason_thePrimaryKeepsItsData_andTheSameRestoreRunsOnceRepaired()
            throws Exception {
        Site site = new Site("corrupt");
        Path local = site.storage("local");
        site.configure(fs("local", true, local));
        site.awaitArchiving();
        site.commit(1, "T1");
        String backupId = site.backup(List.of("local"));
        site.commit(2, "T2");
        Path archive;
        try (Stream<Path> files = Files.walk(local)) {
            archive = files.filter(p -> p.getFileName().toString().equals("base.tar.zst")
                    && p.toString().contains(backupId)).findFirst().orElseThrow();
        }
        byte[] original = Files.readAllBytes(archive);
        byte[] damaged = original.clone();
        damaged[damaged.length / 2] ^= 0x5a;
        Files.write(archive, damaged);

        RestoreRequested request = new RestoreRequested(site.cluster, backupId, "local", null, null, null,
                "corrupt-" + site.suffix, null);
        publish(request);
        RestoreFailed failed = awaitFailed(site, request.restoreId());

        assertThat(failed.step()).isEqualTo(FETCH_BASE_BACKUP.wireName());
        assertThat(failed.reason()).contains("base.tar.zst", "does not match its manifest", "SHA-256");
        Path data = site.pg.dataDirectory();
        assertThat(data.resolveSibling(data.getFileName() + ".restore-" + request.restoreId()))
                .as("the failed restore's unfinished copy is removed (issue 13, item 6)").doesNotExist();
        assertThat(site.pg.isRunning()).isTrue();
        assertThat(site.rows()).isEqualTo("T1,T2");
        site.pg.stop();
        site.pg.start();
        assertThat(site.rows()).as("the old primary starts again with its data").isEqualTo("T1,T2");

        Files.write(archive, original);
        Envelope<RestoreRequested> again = publish(request);
        RestoreCompleted done = awaitCompleted(site, request.restoreId());
        assertThat(done.backupId()).isEqualTo(backupId);
        assertThat(site.rows()).as("the backup's own content: T2 came after it").isEqualTo("T1");
        assertThat(bus.correlation(again.correlationId())).extracting(Envelope::data)
                .filteredOn(RestoreStep.class::isInstance).map(RestoreStep.class::cast)
                .filteredOn(s -> s.is(FETCH_BASE_BACKUP)).extracting(RestoreStep::status)
                .containsExactly(STARTED.wireName(), COMPLETED.wireName());
    }

    @Test
    void aRequestNamingTwoStoragesIsRejectedWithAReasonAndChangesNothing() throws Exception {
        Site site = new Site("two");
        site.configure(fs("local", true, site.storage("local")) + s3("s3", false));
        bus.await(TopologyApplied.class, t -> t.cluster().equals(site.cluster), Duration.ofSeconds(30));
        String restoreId = "two-" + site.suffix;
        ProducerRecord<String, byte[]> valid = KafkaEvents.toRecord(Envelope.root(SOURCE,
                new RestoreRequested(site.cluster, "latest", "local", null, null, null, restoreId, null)));
        String json = new String(valid.value(), StandardCharsets.UTF_8)
                .replace("\"storage\":\"local\"", "\"storages\":[\"local\",\"s3\"]");
        assertThat(json).contains("\"storages\":[\"local\",\"s3\"]");
        ProducerRecord<String, byte[]> twoStorages = new ProducerRecord<>(valid.topic(), valid.key(),
                json.getBytes(StandardCharsets.UTF_8));
        valid.headers().forEach(twoStorages.headers()::add);
        String id = new String(valid.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8);
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            raw.send(twoStorages).get(30, TimeUnit.SECONDS);
        }

        EventRejected rejected = bus.await(EventRejected.class, r -> id.equals(r.id())
                && r.consumer().contains("restore-service"), Duration.ofSeconds(30));
        assertThat(rejected.reason()).contains("storages");
        // A valid request behind it is still served: the consumer goes on.
        RestoreRequested next = new RestoreRequested(site.cluster, "latest", "nowhere", null, null, null,
                "after-" + site.suffix, null);
        publish(next);
        assertThat(awaitFailed(site, next.restoreId()).reason()).contains("storage 'nowhere'");
        assertThat(bus.find(RestoreStarted.class, s -> s.restoreId().equals(restoreId))).isEmpty();
        assertThat(site.pg.isRunning()).isTrue();
    }

    @Test
    void aWalGapIsRefusedWithTheMissingRangeBeforeAnythingIsTouched() throws Exception {
        Site site = new Site("gap");
        Path local = site.storage("local");
        site.configure(fs("local", true, local));
        site.awaitArchiving();
        site.commit(1, "T1");
        String backupId = site.backup(List.of("local"));
        String first = site.archiveThrough("local");
        site.commit(2, "T2");
        String missing = site.archiveThrough("local");
        site.commit(3, "T3");
        OffsetDateTime target = site.now();
        String last = site.archiveThrough("local");
        assertThat(missing).isGreaterThan(first).isLessThan(last);

        Path segment;
        try (Stream<Path> files = Files.walk(local)) {
            segment = files.filter(p -> p.getFileName().toString().equals(missing + ".zst")).findFirst().orElseThrow();
        }
        Files.move(segment, site.home.resolve(missing + ".zst"), StandardCopyOption.ATOMIC_MOVE);
        Envelope<ResyncRequested> resync = publish(new ResyncRequested(site.cluster, "local", null, "a lost segment"));
        await().atMost(Duration.ofSeconds(60)).until(() -> bus.correlation(resync.correlationId()).stream()
                .anyMatch(e -> e.data() instanceof ResyncCompleted));

        RestoreRequested request = new RestoreRequested(site.cluster, backupId, "local", new PitrTarget(target, null),
                null, null, "gap-" + site.suffix, null);
        Envelope<RestoreRequested> sent = publish(request);
        RestoreFailed failed = awaitFailed(site, request.restoreId());

        assertThat(failed.step()).isEqualTo("check-wal-chain");
        assertThat(failed.reason()).contains("WAL gap").contains(missing);
        assertThat(bus.correlation(sent.correlationId())).extracting(Envelope::data)
                .noneMatch(d -> d instanceof RestoreStep || d instanceof RestoreStarted);
        assertThat(site.rows()).isEqualTo("T1,T2,T3");
    }

    static final int RESYNC_SERVICE = 1;

    /**
     * The catalog lists a backup a moment after {@code backup.completed.v1} (resync-service reads its manifest
     * first); a restore asked for in between was refused at check-backup ("not on storage"). Here resync-service is
     * down while the backup completes, so the catalog surely lags: the restore resyncs the storage first, and
     * completes once resync-service is back.
     */
    @Test
    void aRestoreAskedBeforeTheCatalogListsItsBackupResyncsFirst_andIsNotRefused() throws Exception {
        Site site = new Site("lag");
        site.configure(fs("local", true, site.storage("local")));
        site.awaitArchiving();
        site.commit(1, "T1");
        services.get(RESYNC_SERVICE).kill();
        String backupId;
        Path drill = site.home.resolve("lag-drill");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        drills.add(drill);
        RestoreRequested request;
        try {
            backupId = site.backup(List.of("local"));
            request = new RestoreRequested(site.cluster, backupId, "local", null, null, null, "lag-" + site.suffix,
                    new RestoreTarget(drill.toString(), port));
            publish(request);
            bus.await(ResyncRequested.class, r -> r.cluster().equals(site.cluster) && "local".equals(r.storage()),
                    Duration.ofSeconds(60));
        } finally {
            services.set(RESYNC_SERVICE, service("resync-service", Map.of("stowage.secrets-folder",
                    work.resolve("secrets").toString())));
        }
        RestoreCompleted done = awaitCompleted(site, request.restoreId());

        assertThat(done.backupId()).isEqualTo(backupId);
        assertThat(query(port, "select string_agg(at, ',' order by id) from ledger")).isEqualTo("T1");
    }

    @Test
    void aRestoreToANewInstanceLeavesTheRunningPrimaryAlone() throws Exception {
        Site site = new Site("drill");
        site.configure(fs("local", true, site.storage("local")) + s3("s3", false));
        site.awaitArchiving();
        site.commit(1, "T1");
        site.backup(List.of("local", "s3"));
        site.commit(2, "T2");
        OffsetDateTime target = site.now();
        site.commit(3, "T3");
        site.archiveThrough("local");
        String startedAt = site.pg.psql("select pg_postmaster_start_time()");

        Path drill = site.home.resolve("drill-data");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        drills.add(drill);
        RestoreRequested request = new RestoreRequested(site.cluster, "latest", "s3", new PitrTarget(target, null),
                null, null, "drill-" + site.suffix, new RestoreTarget(drill.toString(), port));
        Envelope<RestoreRequested> sent = publish(request);
        RestoreCompleted done = awaitCompleted(site, request.restoreId());

        assertThat(done.dataDirectory()).isEqualTo(drill.toString());
        assertThat(done.previousDataDirectory()).isNull();
        assertThat(query(port, "select string_agg(at, ',' order by id) from ledger")).isEqualTo("T1,T2");
        assertThat(site.rows()).isEqualTo("T1,T2,T3");
        assertThat(site.pg.psql("select pg_postmaster_start_time()")).as("never stopped").isEqualTo(startedAt);
        assertThat(completedSteps(sent.correlationId())).doesNotContain(PAUSE_ARCHIVING, STOP_PRIMARY,
                SWITCH_DATA_DIRECTORY, RESUME_ARCHIVING);
    }

    @Test
    void aBackupSourceIsTheTemporaryMainOfAClusterWithNoStorage_andTheTopologyIsRevertedAfterwards() throws Exception {
        Site site = new Site("dr");
        Path primarySite = site.storage("primary-site");
        site.configure(fs("primary-site", true, primarySite));
        site.awaitArchiving();
        site.commit(1, "T1");
        String backupId = site.backup(List.of("primary-site"));
        site.commit(2, "T2");
        // The disaster-recovery site's own configuration names no storage: only a restore brings one.
        site.configure("");
        bus.await(TopologyApplied.class, t -> t.cluster().equals(site.cluster) && t.main() == null,
                Duration.ofSeconds(30));

        RestoreRequested request = new RestoreRequested(site.cluster, "latest", null, null,
                new StorageSpec(null, StorageType.FILESYSTEM, null, new FilesystemSpec(primarySite.toString(), null)),
                null, "dr-" + site.suffix, null);
        Envelope<RestoreRequested> sent = publish(request);
        RestoreCompleted done = awaitCompleted(site, request.restoreId());

        assertThat(done.storage()).isEqualTo("backup-source");
        assertThat(done.backupId()).isEqualTo(backupId);
        assertThat(site.rows()).isEqualTo("T1");
        await().atMost(Duration.ofSeconds(30)).until(() -> changes(sent.correlationId()).contains(
                "STORAGE_REMOVED backup-source"));
        assertThat(changes(sent.correlationId())).containsExactly("MAIN_SET backup-source",
                "STORAGE_REMOVED backup-source");
    }

    @Test
    void aBackupSourceElsewhereIsAddedAsAProfile_resynced_thenRestoredFrom() throws Exception {
        Site site = new Site("nas");
        Path local = site.storage("local");
        Path oldNas = site.storage("old-nas");
        site.configure(fs("local", true, local) + fs("old-nas", false, oldNas));
        site.awaitArchiving();
        site.commit(1, "T1");
        String backupId = site.backup(List.of("old-nas"));
        site.commit(2, "T2");
        site.configure(fs("local", true, local));
        bus.await(TopologyApplied.class, t -> t.cluster().equals(site.cluster)
                && !t.spec().storages().containsKey("old-nas"), Duration.ofSeconds(30));

        RestoreRequested request = new RestoreRequested(site.cluster, backupId, null, null,
                new StorageSpec(null, StorageType.FILESYSTEM, null, new FilesystemSpec(oldNas.toString(), null)),
                null, "nas-" + site.suffix, null);
        Envelope<RestoreRequested> sent = publish(request);
        RestoreCompleted done = awaitCompleted(site, request.restoreId());

        List<String> changes = changes(sent.correlationId());
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0)).startsWith("PROFILE_ADDED backup-source-");
        String profile = changes.get(0).substring("PROFILE_ADDED ".length());
        assertThat(done.storage()).isEqualTo(profile);
        assertThat(bus.correlation(sent.correlationId())).extracting(Envelope::data)
                .filteredOn(ResyncCompleted.class::isInstance).extracting(d -> ((ResyncCompleted) d).storage())
                .as("the new profile is resynced before the restore").containsExactly(profile);
        assertThat(site.rows()).isEqualTo("T1");
    }

    /**
     * Issue 16: a restore into a new volume. restore-service makes the claim and a Job; the Job's command, taken from
     * the API server and run here with a folder standing for the claim (as a kubelet would run it), restores the
     * backup from S3 to the target, publishes its steps and leaves a promoted, cleanly shut down data directory. Run
     * again on the same folder (a Pod run again), it goes on from what the folder holds. PostgreSQL starts on the
     * folder with the rows committed before the target; the running primary is never touched.
     */
    @Test
    void aRestoreIntoANewVolumeRunsAsAJob_whoseCommandLeavesADataDirectoryPostgresStartsOn() throws Exception {
        Site site = new Site("job");
        site.configure(s3("s3", true));
        site.awaitArchiving();
        site.commit(1, "T1");
        site.backup(List.of("s3"));
        site.commit(2, "T2");
        OffsetDateTime target = site.now();
        site.commit(3, "T3");
        site.archiveThrough("s3");
        String startedAt = site.pg.psql("select pg_postmaster_start_time()");

        String claimName = "restored-" + site.suffix;
        RestoreRequested request = new RestoreRequested(site.cluster, "latest", "s3", new PitrTarget(target, null),
                null, null, "job-" + site.suffix, RestoreTarget.volume(new VolumeTarget(claimName, "fast-ssd",
                "10Gi")));
        Envelope<RestoreRequested> sent = publish(request);

        // restore-service's part: the claim, then the Job, in the cluster's namespace (its own, for this id).
        String jobName = RestoreJobs.jobName(request.restoreId());
        Job job = await().atMost(Duration.ofSeconds(60)).until(
                () -> kube.batch().v1().jobs().inNamespace(NAMESPACE).withName(jobName).get(), j -> j != null);
        PersistentVolumeClaim claim = kube.persistentVolumeClaims().inNamespace(NAMESPACE).withName(claimName).get();
        assertThat(claim).isNotNull();
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
        assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("10Gi");
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("stowage/restore-service:it");

        // The kubelet's part: the Job's command, here, with a folder for the claim and the mounted Secrets.
        Path volume = Files.createDirectories(site.home.resolve("claim-" + claimName));
        Path terminationLog = site.home.resolve("termination-log");
        JobCommand command = new JobCommand(job)
                .with("/var/lib/stowage/restore", volume)
                .with("/etc/stowage/secrets", work.resolve("secrets"))
                .with(RestoreJobs.TERMINATION_LOG, terminationLog)
                .with(RestoreJobs.APPLICATION, Path.of("target", "quarkus-app"));
        assertThat(command.mounts()).extracting(VolumeMount::getMountPath)
                .contains("/var/lib/stowage/restore", "/etc/stowage/secrets/s3-creds");
        Path jobLog = site.home.resolve("job.log");
        assertThat(command.run(jobLog, 240)).as("exit code; see job.log").isZero();
        finish(job, JobCommand.read(terminationLog), JobCommand.read(jobLog), 0);

        RestoreCompleted done = awaitCompleted(site, request.restoreId());
        assertThat(done.dataDirectory()).isEqualTo("pvc:" + NAMESPACE + "/" + claimName + "/pgdata");
        assertThat(done.previousDataDirectory()).isNull();
        assertThat(completedSteps(sent.correlationId())).as("the Job's steps, from its log")
                .containsExactly(FETCH_BASE_BACKUP, VERIFY_BACKUP, FETCH_WAL, WRITE_RECOVERY_SETTINGS, START_RESTORED,
                        WAIT_PROMOTION, STOP_RESTORED);

        // A Pod run again on the same volume: nothing is fetched again, and the data directory stays as it was.
        Path againLog = site.home.resolve("job-again.log");
        assertThat(command.run(againLog, 240)).isZero();
        assertThat(JobCommand.read(againLog)).contains("\"step\":\"fetch-base-backup\",\"status\":\"SKIPPED\"",
                "\"step\":\"stop-restored\",\"status\":\"COMPLETED\"");

        Path data = volume.resolve("pgdata");
        assertThat(data.resolve("postmaster.pid")).as("shut down cleanly").doesNotExist();
        try (PostgresCluster restored = PostgresCluster.startExisting(data, site.home.resolve("from-volume"))) {
            assertThat(restored.psql("select string_agg(at, ',' order by id) from ledger")).isEqualTo("T1,T2");
            assertThat(restored.psql("select pg_is_in_recovery()")).isEqualTo("f");
        }
        assertThat(site.rows()).isEqualTo("T1,T2,T3");
        assertThat(site.pg.psql("select pg_postmaster_start_time()")).as("never stopped").isEqualTo(startedAt);
    }

    /**
     * A restore Job that fails (here: the Secret the storage names is not in its namespace) ends the restore Failed
     * with its step and reason. Asked again, restore-service makes the Job again (the failed one deleted), and the new
     * run completes. restore-service's requests to the API server are then exactly what its ClusterRole grants.
     */
    @Test
    void aFailedRestoreJobFailsTheRestoreWithItsStep_askedAgainItRunsAsANewJob_andItsRoleIsExactlyWhatItUses()
            throws Exception {
        Site site = new Site("job-again");
        site.configure(s3("s3", true));
        site.awaitArchiving();
        site.commit(1, "T1");
        site.backup(List.of("s3"));
        String claimName = "again-" + site.suffix;
        RestoreRequested request = new RestoreRequested(site.cluster, "latest", "s3", null, null, null,
                "again-" + site.suffix, RestoreTarget.volume(new VolumeTarget(claimName, null, "1Gi")));
        publish(request);
        String jobName = RestoreJobs.jobName(request.restoreId());
        Job first = await().atMost(Duration.ofSeconds(60)).until(
                () -> kube.batch().v1().jobs().inNamespace(NAMESPACE).withName(jobName).get(), j -> j != null);
        Path volume = Files.createDirectories(site.home.resolve("claim"));
        Path terminationLog = site.home.resolve("termination-log");
        Path noSecrets = Files.createDirectories(site.home.resolve("no-secrets"));
        JobCommand withoutSecrets = new JobCommand(first).with("/var/lib/stowage/restore", volume)
                .with("/etc/stowage/secrets", noSecrets).with(RestoreJobs.TERMINATION_LOG, terminationLog)
                .with(RestoreJobs.APPLICATION, Path.of("target", "quarkus-app"));
        assertThat(withoutSecrets.run(site.home.resolve("job.log"), 240)).isEqualTo(1);
        finish(first, JobCommand.read(terminationLog), JobCommand.read(site.home.resolve("job.log")), 1);

        RestoreFailed failed = awaitFailed(site, request.restoreId());
        assertThat(failed.step()).isEqualTo(FETCH_BASE_BACKUP.wireName());
        assertThat(failed.reason()).contains("s3-creds").contains("Job " + NAMESPACE + "/" + jobName);

        // Asked again: a new Job of the same name, on the same claim.
        publish(request);
        Job second = await().atMost(Duration.ofSeconds(60)).until(
                () -> kube.batch().v1().jobs().inNamespace(NAMESPACE).withName(jobName).get(),
                j -> j != null && j.getStatus() == null);
        // What Kubernetes' garbage collector does with the deleted Job's Pods.
        kube.pods().inNamespace(NAMESPACE).withLabel(RestoreJobs.JOB_NAME, jobName).list().getItems()
                .forEach(p -> kube.pods().inNamespace(NAMESPACE).resource(p).delete());
        JobCommand command = new JobCommand(second).with("/var/lib/stowage/restore", volume)
                .with("/etc/stowage/secrets", work.resolve("secrets")).with(RestoreJobs.TERMINATION_LOG, terminationLog)
                .with(RestoreJobs.APPLICATION, Path.of("target", "quarkus-app"));
        assertThat(command.run(site.home.resolve("job-2.log"), 240)).isZero();
        finish(second, JobCommand.read(terminationLog), JobCommand.read(site.home.resolve("job-2.log")), 0);
        RestoreCompleted done = awaitCompleted(site, request.restoreId());
        assertThat(done.dataDirectory()).isEqualTo("pvc:" + NAMESPACE + "/" + claimName + "/pgdata");
        try (PostgresCluster restored = PostgresCluster.startExisting(volume.resolve("pgdata"),
                site.home.resolve("from-volume"))) {
            assertThat(restored.psql("select string_agg(at, ',' order by id) from ledger")).isEqualTo("T1");
        }

        Set<String> used = new TreeSet<>();
        for (RecordedRequest r = api.takeRequest(1, TimeUnit.SECONDS); r != null;
             r = api.takeRequest(100, TimeUnit.MILLISECONDS)) {
            if (!TEST_CLIENT.equals(r.getHeader("User-Agent"))) {
                ApiPermissions.of(r.getMethod(), r.getPath()).ifPresent(used::add);
            }
        }
        Set<String> granted = new TreeSet<>();
        for (String doc : Files.readString(Path.of("..", "k8s", "base", "service-accounts.yaml")).split("(?m)^---$")) {
            if (doc.contains("kind: ClusterRole\n") && doc.contains("name: stowage-restore-jobs")) {
                ClusterRole role = Serialization.unmarshal(doc, ClusterRole.class);
                for (PolicyRule rule : role.getRules()) {
                    for (String group : rule.getApiGroups()) {
                        for (String resource : rule.getResources()) {
                            rule.getVerbs().forEach(verb -> granted.add(group + " " + resource + " " + verb));
                        }
                    }
                }
            }
        }
        assertThat(granted).as("granted by the ClusterRole stowage-restore-jobs").isNotEmpty().containsAll(used);
        assertThat(used).as("used by restore-service").containsAll(granted);
    }

    /**
     * What a kubelet and the Job controller make of the Job's Pod once it ended: the Pod with its termination
     * message, its log, and the Job's status.
     */
    static void finish(Job job, String terminationMessage, String log, int exitCode) {
        String ns = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        String pod = name + "-" + UUID.randomUUID().toString().substring(0, 5);
        podLogs.put(pod, log);
        Map<String, String> labels = new java.util.HashMap<>(Map.of(RestoreJobs.JOB_NAME, name));
        if (job.getMetadata().getUid() != null) {
            labels.put(RestoreJobs.CONTROLLER_UID, job.getMetadata().getUid());
        }
        kube.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata()
                .withName(pod)
                .withNamespace(ns).withLabels(labels).endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec())
                .withNewStatus().withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                .withContainerStatuses(new ContainerStatusBuilder().withName(RestoreJobs.CONTAINER)
                        .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode)
                                .withMessage(terminationMessage).endTerminated().build()).build())
                .endStatus().build()).create();
        Job current = kube.batch().v1().jobs().inNamespace(ns).withName(name).get();
        current.setStatus(exitCode == 0 ? new JobStatusBuilder().withSucceeded(1).build()
                : new JobStatusBuilder().withFailed(1).addNewCondition().withType("Failed").withStatus("True")
                .endCondition().build());
        kube.batch().v1().jobs().inNamespace(ns).resource(current).updateStatus();
    }

    // ---- helpers ----

    /** A cluster of its own: a PostgreSQL server, storage folders, a configuration file. */
    static final class Site {
        final String suffix = UUID.randomUUID().toString().substring(0, 6);
        final String cluster;
        final Path home;
        final PostgresCluster pg;

        Site(String purpose) throws IOException {
            cluster = "r-" + purpose + "-" + suffix;
            home = Files.createDirectories(work.resolve(cluster));
            pg = PostgresCluster.start(home.resolve("pg"));
            servers.add(pg);
            pg.psql("create table ledger (id int primary key, at text not null)");
        }

        Path storage(String name) throws IOException {
            return Files.createDirectories(home.resolve("storage-" + name));
        }

        void configure(String storages) throws IOException {
            String yaml = """
                    apiVersion: stowage.io/v1alpha1
                    kind: BackupConfig
                    metadata:
                      name: %s
                    spec:
                      postgres:
                        host: 127.0.0.1
                        port: %d
                        user: postgres
                        dataDirectory: %s
                        binDirectory: %s
                        osUser: %s
                      pitr: {enabled: true}
                    """.formatted(cluster, pg.port(), pg.dataDirectory(), pg.binDirectory(), pg.osUser())
                    + (storages.isEmpty() ? "" : "  storages:\n" + storages);
            Path tmp = configFolder.resolve("." + cluster + ".yaml.tmp");
            Files.writeString(tmp, yaml);
            Files.move(tmp, configFolder.resolve(cluster + ".yaml"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }

        /** Waits until backup-service streams the cluster's WAL (its slot is active). */
        void awaitArchiving() {
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    pg.psql("select count(*) from pg_replication_slots where active").equals("1"));
        }

        void commit(int id, String at) {
            pg.psql("insert into ledger values (" + id + ", '" + at + "')");
        }

        /** A time after every commit so far and before every later one. */
        OffsetDateTime now() {
            return OffsetDateTime.parse(pg.psql(
                    "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
        }

        String rows() {
            return pg.psql("select coalesce(string_agg(at, ',' order by id), '') from ledger");
        }

        String backup(List<String> storages) {
            String backupId = "b-" + UUID.randomUUID().toString().substring(0, 8);
            publish(new BackupRequested(cluster, storages, backupId));
            await().atMost(Duration.ofSeconds(120)).until(() -> bus.find(BackupCompleted.class,
                    c -> c.backupId().equals(backupId)).isPresent() || bus.find(BackupFailed.class,
                    f -> backupId.equals(f.backupId())).isPresent());
            assertThat(bus.find(BackupFailed.class, f -> backupId.equals(f.backupId()))).isEmpty();
            return backupId;
        }

        /**
         * Ends the current WAL segment and waits until the catalog lists it on {@code storage}; returns its name.
         */
        String archiveThrough(String storage) {
            String segment = pg.psql("select pg_walfile_name(pg_current_wal_lsn())");
            pg.psql("select pg_switch_wal()");
            await().atMost(Duration.ofSeconds(60)).until(() -> bus.find(CatalogWal.class, w ->
                    w.cluster().equals(cluster) && w.storage().equals(storage) && w.ranges() != null
                            && w.ranges().stream().anyMatch(r -> r.first().compareTo(segment) <= 0
                            && r.last().compareTo(segment) >= 0)).isPresent());
            return segment;
        }
    }

    static String fs(String name, boolean main, Path path) {
        return "    %s:\n      main: %s\n      type: filesystem\n      filesystem: {path: '%s'}\n"
                .formatted(name, main, path);
    }

    static String s3(String name, boolean main) {
        return ("    %s:\n      main: %s\n      type: s3\n      s3: {bucket: %s, region: %s, endpointUrl: '%s', "
                + "forcePathStyle: true, credentialsSecret: s3-creds}\n")
                .formatted(name, main, BUCKET, s3.region(), s3.endpoint());
    }

    static <T extends StowageEvent> Envelope<T> publish(T data) {
        Envelope<T> e = Envelope.root(SOURCE, data);
        publisher.publishAndWait(e);
        return e;
    }

    static RestoreCompleted awaitCompleted(Site site, String restoreId) {
        RestoreEvent end = awaitEnd(site, restoreId);
        assertThat(end).as("restore %s: %s", restoreId, end).isInstanceOf(RestoreCompleted.class);
        return (RestoreCompleted) end;
    }

    static RestoreFailed awaitFailed(Site site, String restoreId) {
        RestoreEvent end = awaitEnd(site, restoreId);
        assertThat(end).as("restore %s: %s", restoreId, end).isInstanceOf(RestoreFailed.class);
        return (RestoreFailed) end;
    }

    /** The restore's newest end (a restore requested again ends again). */
    static RestoreEvent awaitEnd(Site site, String restoreId) {
        int before = ends(site, restoreId).size();
        await().atMost(RESTORE_TIMEOUT).until(() -> ends(site, restoreId).size() > before);
        List<RestoreEvent> ends = ends(site, restoreId);
        return ends.get(ends.size() - 1);
    }

    private static List<RestoreEvent> ends(Site site, String restoreId) {
        return bus.all().stream().map(Envelope::data).filter(d -> d instanceof RestoreCompleted c
                && c.cluster().equals(site.cluster) && c.restoreId().equals(restoreId)
                || d instanceof RestoreFailed f && f.cluster().equals(site.cluster) && f.restoreId().equals(restoreId))
                .map(RestoreEvent.class::cast).toList();
    }

    static List<RestoreStepName> completedSteps(String correlationId) {
        return bus.correlation(correlationId).stream().map(Envelope::data).filter(RestoreStep.class::isInstance)
                .map(RestoreStep.class::cast).filter(s -> s.is(COMPLETED))
                .map(s -> RestoreStepName.fromWireName(s.step())
                        .orElseThrow(() -> new AssertionError("a step this version does not know: " + s.step())))
                .toList();
    }

    static List<String> changes(String correlationId) {
        return bus.correlation(correlationId).stream().map(Envelope::data).filter(StorageChanged.class::isInstance)
                .map(StorageChanged.class::cast).map(c -> c.change() + " " + c.storage()).toList();
    }

    static String query(int port, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "postgres", "");
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
