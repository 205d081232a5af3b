package io.stowage.localstack;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Command lines that run a Kafka main class on the broker's jars with the launcher's own Java. */
final class JavaCommand {
    /**
     * A one-node dev broker carries little load: C1 only and the serial collector start it
     * about a second sooner on two cores than the default JIT and G1.
     */
    static final List<String> FAST_START_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    static final List<String> BROKER_JVM = List.of(
            "-Xms128m", "-Xmx512m",
            "-Djava.awt.headless=true",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
            // Every internal client dumps its whole config at INFO; server.properties is right there instead.
            "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config.AbstractConfig=warn");

    /**
     * The broker's JVM options: tuned for a quick start, unless {@code stowage.kafka.jvm=server} (benchmarks), which
     * keeps the full JIT so that latencies are the broker's, not the interpreter's.
     */
    static List<String> brokerJvm() {
        List<String> options = new ArrayList<>(BROKER_JVM);
        if (!"server".equals(System.getProperty("stowage.kafka.jvm", System.getenv("STOWAGE_KAFKA_JVM")))) {
            options.addAll(FAST_START_JVM);
        }
        if ("debug".equals(System.getProperty("stowage.kafka.authorizer-log",
                System.getenv("STOWAGE_KAFKA_AUTHORIZER_LOG")))) {
            // Every operation the authorizer allows, with its principal and resource: how the KafkaUsers' ACLs of
            // k8s/overlays/strimzi were measured (docs/kubernetes.md).
            options.add("-Dorg.slf4j.simpleLogger.log.kafka.authorizer.logger=debug");
        }
        return options;
    }

    static final List<String> TOOL_JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private JavaCommand() {
    }

    static List<String> of(Path libs, List<String> jvmOptions, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(libs.resolve("*").toString()); // the JVM expands the wildcard, no shell needed
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    /**
     * java.home first: the launcher may be a packaged native launcher whose own
     * command is not a java binary.
     */
    static String javaBinary() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Files.isExecutable(java)) {
            return java.toString();
        }
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** setsid(1), which starts a process in a session of its own, if this system has it. */
    static Optional<String> setsid() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "setsid");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }
}
