package io.stowage.cli.stack;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessCommandLineTest {
    private static final Path JAR = Path.of("/repo/config-service/target/quarkus-app/quarkus-run.jar");

    @Test
    void aProcessIsOursOnlyWhenItRunsOurJar() {
        assertThat(ProcessCommandLine.runsJar(List.of("/usr/bin/java", "-Xmx256m", "-jar", JAR.toString()), JAR)).isTrue();
        assertThat(ProcessCommandLine.runsJar(List.of("java", "-jar", "/other/quarkus-run.jar"), JAR)).isFalse();
        assertThat(ProcessCommandLine.runsJar(List.of("java", "-cp", JAR.toString(), "Main"), JAR)).isFalse();
        assertThat(ProcessCommandLine.runsJar(List.of("java", "-jar"), JAR)).isFalse();
    }

    @Test
    void readsTheArgumentsOfALiveProcessAndNothingOfAGoneOne() {
        assertThat(ProcessCommandLine.of(ProcessHandle.current().pid()))
                .hasValueSatisfying(args -> assertThat(args).isNotEmpty());
        assertThat(ProcessCommandLine.of(Long.MAX_VALUE)).isEmpty();
    }
}
