package io.stowage.cli.stack;

import io.stowage.bus.KafkaConnection;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Starting a service detached and stopping it again, with a stand-in jar in place of config-service. */
class ServiceProcessTest {
    private static final LocalService CONFIG_SERVICE = LocalService.named("config-service");
    private static final KafkaConnection PLAINTEXT = KafkaConnection.to("127.0.0.1:9092");
    /** Spaces, quotes, '=' and ';' in a value, as sasl.jaas.config has them. */
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"stowage\" password=\"s3cr=t; \\\"q\\\"\";";
    private static final KafkaConnection SASL_SSL = KafkaConnection.of(Map.of(
            "bootstrap.servers", "127.0.0.1:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", JAAS,
            "ssl.truststore.location", "/etc/stowage/truststore.p12",
            "ssl.truststore.password", new Password("trust-pass"),
            "ssl.keystore.password", "key-${pass}"));

    @TempDir
    Path project;
    @TempDir
    Path homeDir;

    private ServiceProcess started;

    @AfterEach
    void stopLeftovers() {
        if (started != null) {
            started.running().ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void onlyBuiltServicesRun() {
        ServiceProcess service = new ServiceProcess(CONFIG_SERVICE, new StowageHome(homeDir), project);

        assertThat(service.isBuilt()).isFalse();
        assertThat(service.jar()).isEqualTo(project.resolve("config-service/target/quarkus-app/quarkus-run.jar"));
    }

    @Test
    void theCommandGivesTheServiceItsBrokerPortInstanceAndConfigFolder() {
        StowageHome home = new StowageHome(homeDir);
        ServiceProcess service = new ServiceProcess(CONFIG_SERVICE, home, project);

        List<String> command = service.command(PLAINTEXT);

        assertThat(command).containsSubsequence(
                Executables.java(), "-Xmx256m",
                "-Dkafka.bootstrap.servers=127.0.0.1:9092",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=8081",
                "-Dstowage.config.folder=" + home.config(),
                "-Dstowage.instance-id=local",
                "-jar", service.jar().toString());
        Executables.setsid().ifPresent(setsid -> assertThat(command.get(0)).isEqualTo(setsid));
    }

    @Test
    void aSecureConnectionsSettingsGoToAnOwnerOnlyFileAndNoneToTheCommandLine() throws IOException {
        StowageHome home = new StowageHome(homeDir).ensureLayout();
        ServiceProcess service = new ServiceProcess(CONFIG_SERVICE, home, project);

        List<String> command = service.command(SASL_SSL);
        service.writeKafkaClientConfig(SASL_SSL);

        assertThat(service.kafkaClientConfig()).isEqualTo(homeDir.resolve("run/config-service.kafka.properties"));
        assertThat(command).contains("-Dkafka.bootstrap.servers=127.0.0.1:9093",
                "-Dquarkus.config.locations=" + service.kafkaClientConfig().toUri());
        // A command line is for every user of the machine to read (ps, /proc/<pid>/cmdline).
        assertThat(String.join(" ", command)).doesNotContain("s3cr", "trust-pass", "key-", "jaas", "password", "sasl",
                "security.protocol", "truststore");
        assertThat(Files.getPosixFilePermissions(service.kafkaClientConfig()))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Properties file = load(service.kafkaClientConfig());
        assertThat(file).containsOnly(
                Map.entry("config_ordinal", "275"),
                Map.entry("kafka.security.protocol", "SASL_SSL"),
                Map.entry("kafka.sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("kafka.sasl.jaas.config", JAAS),
                Map.entry("kafka.ssl.truststore.location", "/etc/stowage/truststore.p12"),
                Map.entry("kafka.ssl.truststore.password", "trust-pass"),
                Map.entry("kafka.ssl.keystore.password", "key-\\${pass}"));
    }

    @Test
    void aPlaintextConnectionNeedsNoFileAndTheOneAnEarlierStartLeftGoes() throws IOException {
        StowageHome home = new StowageHome(homeDir).ensureLayout();
        ServiceProcess service = new ServiceProcess(CONFIG_SERVICE, home, project);
        service.writeKafkaClientConfig(SASL_SSL);

        service.writeKafkaClientConfig(PLAINTEXT);

        assertThat(service.kafkaClientConfig()).doesNotExist();
        assertThat(service.command(PLAINTEXT)).noneMatch(arg -> arg.startsWith("-Dquarkus.config.locations"));
    }

    @Test
    void backupServiceReadsSecretsFromTheSecretsFolder() {
        StowageHome home = new StowageHome(homeDir);
        ServiceProcess service = new ServiceProcess(LocalService.named("backup-service"), home, project);

        assertThat(service.command(PLAINTEXT)).contains("-Dstowage.secrets-folder=" + home.secrets(),
                "-Dquarkus.http.port=8082");
    }

    @Test
    void resyncAndRestoreServiceReadSecretsFromTheSecretsFolderToo() {
        StowageHome home = new StowageHome(homeDir);

        for (String name : List.of("resync-service", "restore-service")) {
            ServiceProcess service = new ServiceProcess(LocalService.named(name), home, project);
            assertThat(service.command(PLAINTEXT)).as(name)
                    .contains("-Dstowage.secrets-folder=" + home.secrets());
        }
    }

    @Test
    void upStartsRestoreServiceWithTheOthers() {
        assertThat(new LocalStack(new StowageHome(homeDir), project).services()).extracting(ServiceProcess::name)
                .containsExactly("config-service", "backup-service", "resync-service", "restore-service");
    }

    @Test
    void aStartedServiceRunsInItsOwnSessionAndDownStopsIt() throws IOException {
        buildFakeJar(project.resolve(CONFIG_SERVICE.jar()));
        StowageHome home = new StowageHome(homeDir).ensureLayout();
        ServiceProcess service = new ServiceProcess(CONFIG_SERVICE, home, project);

        ProcessHandle process = service.start(PLAINTEXT);
        started = service;

        assertThat(service.running()).contains(process);
        assertThat(Files.readString(service.pidFile()).strip()).isEqualTo(Long.toString(process.pid()));
        assertThat(Files.readString(service.log())).startsWith("=== stowage up: starting config-service");
        assertOwnSession(process.pid());

        StringWriter out = new StringWriter();
        new LocalStack(home, project).down(new PrintWriter(out, true));

        assertThat(out.toString()).contains("config-service: stopped (pid " + process.pid() + ")");
        assertThat(process.isAlive()).isFalse();
        assertThat(service.pidFile()).doesNotExist();
    }

    @Test
    void whatPsShowsOfAServiceStartedWithCredentialsHoldsNoneOfThem() throws IOException {
        buildFakeJar(project.resolve(CONFIG_SERVICE.jar()));
        StowageHome home = new StowageHome(homeDir).ensureLayout();
        ServiceProcess service = new ServiceProcess(CONFIG_SERVICE, home, project);

        ProcessHandle process = service.start(SASL_SSL);
        started = service;

        assertThat(ProcessCommandLine.of(process.pid())).hasValueSatisfying(args -> assertThat(String.join(" ", args))
                .contains("-Dkafka.bootstrap.servers=127.0.0.1:9093", "-Dquarkus.config.locations=")
                .doesNotContain("s3cr", "trust-pass", "sasl"));
        assertThat(load(service.kafkaClientConfig())).containsEntry("kafka.sasl.jaas.config", JAAS);
    }

    @Test
    void aPidFileNamingSomeoneElsesProcessIsNeverKilled() throws IOException {
        buildFakeJar(project.resolve(CONFIG_SERVICE.jar()));
        StowageHome home = new StowageHome(homeDir).ensureLayout();
        ServiceProcess service = new ServiceProcess(CONFIG_SERVICE, home, project);
        // A reused pid: this test's own JVM, alive, but not running config-service's jar.
        Files.writeString(service.pidFile(), ProcessHandle.current().pid() + "\n");

        assertThat(service.running()).isEmpty();
        assertThat(service.hasStalePidFile()).isTrue();

        StringWriter out = new StringWriter();
        new LocalStack(home, project).down(new PrintWriter(out, true));

        assertThat(out.toString()).contains("config-service: not running (stale pid file removed, no process killed)");
        assertThat(service.pidFile()).doesNotExist();
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    private static Properties load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        return properties;
    }

    private static void buildFakeJar(Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeService.class.getName());
        String entry = FakeService.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             InputStream in = FakeService.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
    }

    // A session leader gets neither the terminal's Ctrl-C nor its hang-up.
    private static void assertOwnSession(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        assumeThat(Executables.setsid()).as("setsid available").isPresent();
        assumeThat(stat).as("Linux /proc").exists();
        String text = Files.readString(stat);
        List<String> fields = List.of(text.substring(text.lastIndexOf(')') + 2).split(" "));
        assertThat(Long.parseLong(fields.get(3))).as("session id of the service").isEqualTo(pid);
    }
}
