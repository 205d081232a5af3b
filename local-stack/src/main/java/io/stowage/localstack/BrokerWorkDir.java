package io.stowage.localstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.common.Uuid;

/**
 * The files of one broker: its data, settings, log, pid, cluster id, security shape, certificates, users and client
 * properties, all under one directory.
 */
record BrokerWorkDir(Path root) {
    private static final int LOG_TAIL_LINES = 30;

    BrokerWorkDir {
        root = root.toAbsolutePath().normalize();
    }

    Path data() {
        return root.resolve("data");
    }

    Path serverProperties() {
        return root.resolve("server.properties");
    }

    Path log() {
        return root.resolve("broker.log");
    }

    Path pidFile() {
        return root.resolve("broker.pid");
    }

    Path clusterIdFile() {
        return root.resolve("cluster.id");
    }

    /** The shape the storage was formatted for; a directory formatted before there were shapes is PLAINTEXT. */
    Path securityFile() {
        return root.resolve("security");
    }

    Path tls() {
        return root.resolve("tls");
    }

    Path scramUsers() {
        return root.resolve("scram-users.properties");
    }

    /** Where a later process (the CLI) finds how to connect as this user. */
    Path clientProperties(BrokerUser user) {
        return root.resolve("client-" + user.userName() + ".properties");
    }

    /**
     * The shape the storage was formatted for, if it was. A SASL_SSL broker's users live in its storage from the
     * format on, so a directory stays in the shape it was made in.
     */
    Optional<BrokerSecurity> formattedSecurity() throws IOException {
        if (!isFormatted()) {
            return Optional.empty();
        }
        if (!Files.exists(securityFile())) {
            return Optional.of(BrokerSecurity.PLAINTEXT);
        }
        return Optional.of(BrokerSecurity.valueOf(Files.readString(securityFile()).strip()));
    }

    void recordSecurity(BrokerSecurity security) throws IOException {
        Files.writeString(securityFile(), security.name() + "\n");
    }

    /** Formatting writes meta.properties; formatting again would be refused, so its presence means "keep". */
    boolean isFormatted() {
        return Files.exists(data().resolve("meta.properties"));
    }

    /** The cluster id kept from an earlier start, or a new one, remembered for the next. */
    String clusterId() throws IOException {
        if (Files.exists(clusterIdFile())) {
            return Files.readString(clusterIdFile()).strip();
        }
        String id = Uuid.randomUuid().toString();
        Files.writeString(clusterIdFile(), id + "\n");
        return id;
    }

    void writePid(long pid) throws IOException {
        Files.writeString(pidFile(), pid + "\n");
    }

    void deletePid() {
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            // A stale pid file is harmless: runningBroker() checks the process behind it.
        }
    }

    /** The live broker process named by the pid file, if there is one. */
    Optional<ProcessHandle> runningBroker() throws IOException {
        if (!Files.exists(pidFile())) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile()).strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        // Pid files outlive reboots and pids get reused: only a process started with this
        // directory's server.properties is ours to report or to kill.
        String settings = serverProperties().toString();
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(line -> line.contains(settings)).orElse(true));
    }

    /** Why a broker did not start, with the end of broker.log so that nobody has to go and open it. */
    IllegalStateException startFailure(String reason) {
        return new IllegalStateException("Kafka broker in " + root + " did not start: " + reason
                + ". Last " + LOG_TAIL_LINES + " lines of " + log() + ":\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> all = new String(Files.readAllBytes(log()), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - LOG_TAIL_LINES), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log() + ": " + e + ")";
        }
    }
}
