package io.stowage.systemtests;

import io.stowage.bus.KafkaConnection;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.ResyncCompleted;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.TopologyApplied;
import io.stowage.localstack.BrokerSecurity;
import io.stowage.localstack.BrokerUser;
import io.stowage.localstack.ClientPropertiesFile;
import io.stowage.localstack.KafkaBroker;
import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.S3ProxyServer;
import io.stowage.localstack.SharedS3;
import io.stowage.localstack.TestCertificates;
import io.stowage.localstack.TopicSetup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.stowage.systemtests.StowageServices.BACKUP;
import static io.stowage.systemtests.StowageServices.CONFIG;
import static io.stowage.systemtests.StowageServices.RESTORE;
import static io.stowage.systemtests.StowageServices.RESYNC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole system on a Kafka broker secured as production runs it (TLS with a CA of its own, a login or a client
 * certificate per user, ACLs): the four packaged services connect as {@code stowage-service}, their credentials in
 * owner-only files, and so does the packaged {@code stowage} command, with {@code --kafka-config}. A backup, a
 * main-storage switch with its resync, a point-in-time restore into a new instance; then clients the broker must
 * refuse. One subclass per {@link BrokerSecurity} shape.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SecuredStackChecks {
    private static final String S3_SECRET = "s3-creds";
    private static final Pattern JAAS_PASSWORD = Pattern.compile("password=\"([^\"]+)\"");

    Path work;
    KafkaBroker broker;
    S3ProxyServer s3;
    StowageServices services;
    BusLog bus;
    StowageCli cli;
    /** The service user's client properties: what the CLI is given with --kafka-config. */
    Path serviceConfig;
    Site site;
    Path drill;

    /** The broker's shape. */
    abstract BrokerSecurity shape();

    /** What a shape does once the broker and topics are there, before the services start (their own logins). */
    void beforeServicesStart() throws Exception {
    }

    private String bucket() {
        return "stack-it-" + shape().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory(getClass().getSimpleName());
        broker = KafkaBroker.start(work.resolve("kafka"), 0, shape());
        // The service user may not create topics: the admin sets them up, as an operator would.
        TopicSetup.ensureTopics(broker.clientProperties(BrokerUser.ADMIN), 3);
        serviceConfig = broker.clientPropertiesFile(BrokerUser.SERVICE);
        s3 = SharedS3.http();
        s3.createBucket(bucket());
        services = new StowageServices(work.resolve("stack"), broker.clientProperties(BrokerUser.SERVICE));
        Path creds = Files.createDirectories(services.secretsFolder().resolve(S3_SECRET));
        Files.writeString(creds.resolve("AWS_ACCESS_KEY_ID"), s3.accessKeyId());
        Files.writeString(creds.resolve("AWS_SECRET_ACCESS_KEY"), s3.secretAccessKey());
        bus = new BusLog(KafkaConnection.of(broker.clientProperties(BrokerUser.SERVICE)));
        beforeServicesStart();
        services.start(CONFIG, BACKUP, RESYNC, RESTORE);
        cli = new StowageCli(work.resolve("cli"), Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        if (drill != null) {
            PostgresCluster.stopServer(drill);
        }
        if (services != null) {
            services.close();
        }
        if (site != null) {
            site.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (broker != null) {
            broker.close();
        }
        WorkDir.removeBulk(work);
    }

    @Test
    void aBackupAMainSwitchAndAPointInTimeRestore_allOverTheSecuredBroker_andNoSecretInALogACommandLineOrAnEvent()
            throws Exception {
        site = new Site(shape().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), work,
                services.configFolder());
        Path local = site.storage("local");
        String s3Url = s3.endpoint().toString();
        site.configure(true, Site.filesystem("local", true, local)
                + Site.s3("s3", false, bucket(), s3Url, S3_SECRET));
        bus.await(TopologyApplied.class, t -> t.cluster().equals(site.cluster), Duration.ofSeconds(60));
        site.awaitArchiving();
        site.commit(1, "T1");

        StowageCli.Result backup = cli.run(Duration.ofMinutes(4), "backup", "create",
                "--kafka-config", serviceConfig.toString(), "--cluster", site.cluster, "--storage", "local,s3",
                "--wait", "--timeout", "3m");

        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        assertThat(backup.out()).contains("Completed: backup");
        String backupId = bus.await(BackupCompleted.class, b -> b.cluster().equals(site.cluster),
                Duration.ofSeconds(10)).backupId();
        site.commit(2, "T2");
        OffsetDateTime target = site.now();
        site.commit(3, "T3");
        site.archiveThrough("local", bus);

        // The main moves to s3: one transaction, and the new main resynced.
        site.configure(true, Site.filesystem("local", false, local) + Site.s3("s3", true, bucket(), s3Url, S3_SECRET));
        BusLog.Seen mainChanged = await().atMost(Duration.ofSeconds(60)).until(() -> bus.seen(StorageChanged.class,
                c -> c.cluster().equals(site.cluster) && c.change() == StorageChange.MAIN_CHANGED), o -> o.isPresent())
                .orElseThrow();
        String correlation = mainChanged.event().correlationId();
        await().atMost(Duration.ofSeconds(90)).until(() -> bus.correlation(correlation).stream()
                .anyMatch(s -> s.event().data() instanceof ResyncCompleted r && r.storage().equals("s3")));
        // One partition of stowage.storage holds the cluster's changes in order; the resync request is on stowage.resync.
        assertThat(bus.correlation(correlation)).extracting(s -> s.event().data())
                .filteredOn(StorageChanged.class::isInstance).map(StorageChanged.class::cast)
                .extracting(c -> c.change() + " " + c.storage())
                .containsExactly("MAIN_CHANGED s3", "PROFILE_REMOVED s3", "PROFILE_ADDED local");
        assertThat(bus.correlation(correlation)).extracting(s -> s.event().data())
                .filteredOn(ResyncRequested.class::isInstance).map(ResyncRequested.class::cast)
                .extracting(ResyncRequested::storage).containsExactly("s3");

        // A drill: the backup, from local (now a profile), to a point between T2 and T3, into a new instance.
        drill = site.home.resolve("drill-data");
        int port = freePort();
        StowageCli.Result restore = cli.run(Duration.ofMinutes(5), "restore",
                "--kafka-config", serviceConfig.toString(), "--cluster", site.cluster, "--storage", "local",
                "--backup", backupId, "--time", target.toString(), "--target-dir", drill.toString(),
                "--port", Integer.toString(port), "--wait", "--timeout", "4m");

        assertThat(restore.exitCode()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains("Restored backup " + backupId + " from storage local");
        assertThat(Site.rowsAt(port)).as("the rows committed before the target").isEqualTo("T1,T2");
        assertThat(site.rows()).as("the primary, untouched").isEqualTo("T1,T2,T3");

        // No secret anywhere a person or another program reads: logs, command lines, events.
        List<String> secrets = new ArrayList<>(secrets());
        secrets.add(s3.secretAccessKey());
        String everythingPrinted = services.logs() + Files.readString(work.resolve("kafka/broker.log"))
                + backup.out() + backup.err() + restore.out() + restore.err();
        for (String secret : secrets) {
            assertThat(everythingPrinted).as("logs and output").doesNotContain(secret);
        }
        for (String service : List.of(CONFIG, BACKUP, RESYNC, RESTORE)) {
            String commandLine = ProcessHandle.of(services.get(service).pid()).orElseThrow().info().commandLine()
                    .orElseThrow();
            assertThat(commandLine).contains("-Dquarkus.config.locations=");
            secrets.forEach(secret -> assertThat(commandLine).as(service + "'s command line").doesNotContain(secret));
        }
        for (BusLog.Seen seen : bus.all()) {
            StringBuilder wire = new StringBuilder(new String(seen.record().value(), StandardCharsets.UTF_8));
            seen.record().headers().forEach(h -> wire.append(new String(h.value(), StandardCharsets.UTF_8)));
            secrets.forEach(secret -> assertThat(wire.toString()).as("an event").doesNotContain(secret));
        }
        assertThat(services.logs()).as("no service was refused anything by the broker's ACLs")
                .doesNotContain("AuthorizationException").doesNotContainIgnoringCase("not authorized");
    }

    @Test
    void statusSaysHowItReachedKafkaAndReadsTheBusAsTheServiceUser() throws Exception {
        StowageCli.Result status = new StowageCli(work.resolve("cli-env"),
                Map.of("STOWAGE_KAFKA_CONFIG", serviceConfig.toString())).run(Duration.ofMinutes(1), "status");

        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains(broker.bootstrapServers() + " (" + shape().protocol() + "): reachable",
                "Last rejections");
        secrets().forEach(secret -> assertThat(status.out() + status.err()).doesNotContain(secret));
    }

    @Test
    void aClientTrustingAnotherCaIsRefusedNamingTheTlsCertificate() throws Exception {
        Path otherCa = TestCertificates.unrelatedCaPem(Files.createDirectories(work.resolve("other-ca")));

        StowageCli.Result result = cliWith(broker.clientPropertiesTrusting(BrokerUser.SERVICE, otherCa), "other-ca",
                "backup", "create", "--cluster", "refused", "--backup-id", "never");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).as(result.toString()).contains("TLS").containsIgnoringCase("certificat");
    }

    /** What the users' client properties hold that no one else may read: SCRAM passwords, key store passwords. */
    List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        for (BrokerUser user : BrokerUser.values()) {
            Map<String, String> client = broker.clientProperties(user);
            Matcher m = JAAS_PASSWORD.matcher(client.getOrDefault("sasl.jaas.config", ""));
            if (m.find()) {
                secrets.add(m.group(1));
            }
            if (client.containsKey("ssl.keystore.password")) {
                secrets.add(client.get("ssl.keystore.password"));
            }
        }
        assertThat(secrets).isNotEmpty();
        return secrets;
    }

    /** Runs the packaged stowage command with the Kafka client properties {@code client}, written owner-only. */
    StowageCli.Result cliWith(Map<String, String> client, String name, String... args) throws Exception {
        Path file = work.resolve(name + ".properties");
        ClientPropertiesFile.write(client, file, name);
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kafka-config", file.toString()));
        return cli.run(Duration.ofMinutes(2), all.toArray(String[]::new));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
