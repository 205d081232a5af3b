package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The `stowage up` / `stowage down` life cycle: a broker that outlives its launcher, stopped from its pid file. */
class DetachedBrokerIT {
    @TempDir
    Path workDir;

    @AfterEach
    void stopLeftovers() {
        KafkaBroker.stop(workDir);
    }

    @Test
    void aDetachedBrokerOutlivesItsLauncherAndStopsFromItsPidFile() throws Exception {
        Process launcher = new ProcessBuilder(JavaCommand.javaBinary(),
                "-cp", System.getProperty("java.class.path"),
                "-D" + KafkaLibs.PROPERTY + "=" + KafkaLibs.locate(),
                DetachedLauncher.class.getName(), workDir.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(launcher.waitFor(10, TimeUnit.SECONDS)).as("launcher exited; output:%n%s", output).isTrue();
        assertThat(launcher.exitValue()).as("launcher output:%n%s", output).isZero();
        String bootstrap = output.lines().filter(line -> line.startsWith(DetachedLauncher.BOOTSTRAP_PREFIX))
                .map(line -> line.substring(DetachedLauncher.BOOTSTRAP_PREFIX.length())).findFirst().orElseThrow();

        long pid = Long.parseLong(Files.readString(workDir.resolve("broker.pid")).strip());
        assertThat(KafkaBroker.isRunning(workDir)).isTrue();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            assertThat(admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS))
                    .isEqualTo(Files.readString(workDir.resolve("cluster.id")).strip());
        }
        assertOwnSession(pid);

        assertThat(KafkaBroker.stop(workDir)).isTrue();

        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("broker process").isEmpty();
        assertThat(KafkaBroker.isRunning(workDir)).isFalse();
        assertThat(workDir.resolve("broker.pid")).doesNotExist();
        assertThat(KafkaBroker.stop(workDir)).as("nothing left to stop").isFalse();
    }

    // A session leader gets neither the terminal's Ctrl-C nor its hang-up.
    private static void assertOwnSession(long pid) throws IOException {
        Path stat = Path.of("/proc", String.valueOf(pid), "stat");
        assumeThat(JavaCommand.setsid()).as("setsid available").isPresent();
        assumeThat(stat).as("Linux /proc").exists();
        String text = Files.readString(stat);
        // Fields after the command name in parentheses: state, ppid, pgrp, session, ...
        List<String> fields = List.of(text.substring(text.lastIndexOf(')') + 2).split(" "));
        assertThat(Long.parseLong(fields.get(3))).as("session id of the broker").isEqualTo(pid);
    }
}
