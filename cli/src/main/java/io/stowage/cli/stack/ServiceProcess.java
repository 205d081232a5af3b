package io.stowage.cli.stack;

import io.stowage.bus.KafkaConnection;
import io.stowage.localstack.QuarkusKafkaConfig;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.types.Password;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** One service of the local stack as an operating-system process: started detached, found again from its pid file. */
public final class ServiceProcess {
    /** A small heap: the local stack runs four services and a broker on a laptop. */
    static final String HEAP = "-Xmx256m";
    static final String INSTANCE_ID = "local";
    private static final Duration EXEC_WAIT = Duration.ofSeconds(5);

    private final LocalService service;
    private final StowageHome home;
    private final Path jar;
    private final PidFile pidFile;

    public ServiceProcess(LocalService service, StowageHome home, Path projectDir) {
        this.service = service;
        this.home = home;
        this.jar = projectDir.resolve(service.jar()).toAbsolutePath().normalize();
        this.pidFile = new PidFile(home.pidFile(service.name()));
    }

    public String name() {
        return service.name();
    }

    public int httpPort() {
        return service.httpPort();
    }

    public Path jar() {
        return jar;
    }

    public Path log() {
        return home.log(service.name());
    }

    public Path pidFile() {
        return pidFile.file();
    }

    /** The service's Kafka client settings beyond the address, when it has any ({@link #command}). */
    public Path kafkaClientConfig() {
        return home.kafkaClientConfig(service.name());
    }

    public boolean isBuilt() {
        return Files.isRegularFile(jar);
    }

    /** The live process from the pid file, if it is still ours (it runs this service's jar). */
    public Optional<ProcessHandle> running() {
        return pidFile.read().stream().boxed()
                .flatMap(pid -> ProcessHandle.of(pid).stream())
                .filter(ProcessHandle::isAlive)
                .filter(p -> ProcessCommandLine.runsJar(p.pid(), jar))
                .findFirst();
    }

    /** Whether a pid file is left behind by a process that is gone (or is no longer ours). */
    public boolean hasStalePidFile() {
        return Files.exists(pidFile.file()) && running().isEmpty();
    }

    public void forgetPid() {
        pidFile.delete();
    }

    /**
     * Starts the service in a session of its own (the terminal's Ctrl-C and hang-up do not reach it), its output
     * appended to its log file, its pid recorded.
     */
    public ProcessHandle start(KafkaConnection kafka) {
        try {
            writeKafkaClientConfig(kafka);
            Files.createDirectories(log().getParent());
            Files.writeString(log(), "=== stowage up: starting " + name() + " at " + OffsetDateTime.now() + " ===\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(command(kafka))
                    // Anything a service writes relative to its working directory stays with the state, not in the repository.
                    .directory(home.root().toFile())
                    .redirectErrorStream(true)
                    // A file, not a pipe: the service outlives this command, and a pipe without a reader would block it.
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                    .start();
            process.getOutputStream().close();
            pidFile.write(process.pid());
            awaitExec(process);
            return process.toHandle();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name() + " from " + jar, e);
        }
    }

    /**
     * Waits until the new process shows its own command line. Between fork and exec it still shows the JDK's spawn
     * helper, and {@link #running()} would not yet know it as ours: a {@code down} right after {@code up} would
     * leave it running.
     */
    private void awaitExec(Process process) {
        long deadline = System.nanoTime() + EXEC_WAIT.toNanos();
        while (process.isAlive() && !ProcessCommandLine.runsJar(process.pid(), jar) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * {@code setsid java ... -jar <jar>}. Java's children are not process-group leaders, so setsid execs in place
     * and the pid we record is the JVM's.
     *
     * <p>Of the Kafka client configuration only the address is on the command line, where {@code ps} shows which
     * broker a service uses. A command line is for every user of the machine to read ({@code ps},
     * {@code /proc/<pid>/cmdline}), and {@code sasl.jaas.config} or a store password is a credential: every other
     * setting goes in {@link #kafkaClientConfig()}, readable by the owner only, which Quarkus reads as one more
     * config source ({@code quarkus.config.locations}).
     */
    List<String> command(KafkaConnection kafka) {
        List<String> command = new ArrayList<>();
        Executables.setsid().ifPresent(command::add);
        command.add(Executables.java());
        command.add(HEAP);
        Map<String, String> settings = new TreeMap<>(service.ownSettings().apply(home));
        settings.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        if (!clientSettings(kafka).isEmpty()) {
            settings.put("quarkus.config.locations", kafkaClientConfig().toUri().toString());
        }
        settings.put("stowage.instance-id", INSTANCE_ID);
        settings.put("quarkus.http.port", Integer.toString(service.httpPort()));
        // Like the broker, the S3 server and PostgreSQL: the local stack answers on this machine only.
        settings.put("quarkus.http.host", "127.0.0.1");
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    /**
     * Writes the connection's settings beyond the address as Quarkus' {@code kafka.*} keys into
     * {@link #kafkaClientConfig()}, owner-only ({@link QuarkusKafkaConfig}); removes the file an earlier start left
     * when there are no such settings now.
     */
    void writeKafkaClientConfig(KafkaConnection kafka) {
        Map<String, String> properties = new TreeMap<>();
        kafka.properties().forEach((key, value) -> properties.put(key, configValue(value)));
        QuarkusKafkaConfig.write(properties, kafkaClientConfig());
    }

    private static Map<String, Object> clientSettings(KafkaConnection kafka) {
        Map<String, Object> settings = new TreeMap<>(kafka.properties());
        settings.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        return settings;
    }

    /** As a properties file spells it; a {@link Password}'s own toString hides the value the service needs. */
    private static String configValue(Object value) {
        if (value instanceof Password password) {
            return password.value();
        }
        if (value instanceof Class<?> type) {
            return type.getName();
        }
        if (value instanceof Collection<?> list) {
            return list.stream().map(ServiceProcess::configValue).collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }

}
