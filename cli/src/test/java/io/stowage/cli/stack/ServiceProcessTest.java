package io.stowage.cli.stack;

import io.stowage.bus.KafkaConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
