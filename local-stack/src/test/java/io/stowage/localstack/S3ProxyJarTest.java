package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3ProxyJarTest {
    @TempDir
    Path tmp;

    @Test
    void systemPropertyWinsOverEnvironmentAndBuildOutput() throws IOException {
        Path fromProperty = jarAt(tmp.resolve("p/s3proxy.jar"));
        Path fromEnv = jarAt(tmp.resolve("e/s3proxy.jar"));
        jarAt(tmp.resolve(S3ProxyJar.BUILD_OUTPUT));

        assertThat(S3ProxyJar.locate(fromProperty.toString(), fromEnv.toString(), tmp)).isEqualTo(fromProperty);
    }

    @Test
    void environmentIsUsedWhenThePropertyNamesNoFile() throws IOException {
        Path fromEnv = jarAt(tmp.resolve("e/s3proxy.jar"));

        assertThat(S3ProxyJar.locate(tmp.resolve("missing.jar").toString(), fromEnv.toString(), tmp))
                .isEqualTo(fromEnv);
    }

    @Test
    void buildOutputIsFoundFromAModuleDirectory() throws IOException {
        Path jar = jarAt(tmp.resolve(S3ProxyJar.BUILD_OUTPUT));
        Path module = Files.createDirectories(tmp.resolve("backup-service").resolve("target"));

        assertThat(S3ProxyJar.locate(null, null, module)).isEqualTo(jar);
    }

    @Test
    void failureNamesEveryPlaceItLooked() {
        assertThatThrownBy(() -> S3ProxyJar.locate("/nowhere/s3proxy.jar", null, tmp))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stowage.s3proxy.jar=/nowhere/s3proxy.jar")
                .hasMessageContaining("STOWAGE_S3PROXY_JAR=null")
                .hasMessageContaining(S3ProxyJar.BUILD_OUTPUT + " in " + tmp);
    }

    private static Path jarAt(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.createFile(file);
    }
}
