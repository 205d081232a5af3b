package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaLibsTest {
    @TempDir
    Path tmp;

    @Test
    void systemPropertyWinsOverEnvironmentAndBuildOutput() throws IOException {
        Path fromProperty = libsAt(tmp.resolve("p"));
        Path fromEnv = libsAt(tmp.resolve("e"));
        libsAt(tmp.resolve(KafkaLibs.BUILD_OUTPUT));

        assertThat(KafkaLibs.locate(fromProperty.toString(), fromEnv.toString(), tmp)).isEqualTo(fromProperty);
    }

    @Test
    void environmentIsUsedWhenThePropertyPointsAtNoJars() throws IOException {
        Path fromEnv = libsAt(tmp.resolve("e"));

        assertThat(KafkaLibs.locate(tmp.resolve("missing").toString(), fromEnv.toString(), tmp)).isEqualTo(fromEnv);
    }

    @Test
    void buildOutputIsFoundFromAModuleDirectory() throws IOException {
        Path libs = libsAt(tmp.resolve(KafkaLibs.BUILD_OUTPUT));
        Path module = Files.createDirectories(tmp.resolve("cli").resolve("target"));

        assertThat(KafkaLibs.locate(null, null, module)).isEqualTo(libs);
    }

    @Test
    void failureNamesEveryPlaceItLooked() {
        assertThatThrownBy(() -> KafkaLibs.locate("/nowhere/p", null, tmp))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stowage.kafka.libs=/nowhere/p")
                .hasMessageContaining("STOWAGE_KAFKA_LIBS=null")
                .hasMessageContaining(KafkaLibs.BUILD_OUTPUT + " in " + tmp);
    }

    @Test
    void aDirectoryWithoutTheBrokerJarDoesNotCount() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));

        assertThatThrownBy(() -> KafkaLibs.locate(empty.toString(), null, tmp)).isInstanceOf(IllegalStateException.class);
    }

    private static Path libsAt(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.createFile(dir.resolve("kafka_2.13-4.2.1.jar"));
        return dir;
    }
}
