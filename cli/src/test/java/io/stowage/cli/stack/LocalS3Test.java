package io.stowage.cli.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class LocalS3Test {
    @TempDir
    Path dir;

    @Test
    void theSecretIsOneFilePerKeyWithoutANewlineReadableByItsOwnerOnly() throws Exception {
        Path secret = dir.resolve("secrets").resolve(LocalS3.SECRET);

        LocalS3.writeSecret(secret, "STOWAGEABC", "s3cr3t");
        LocalS3.writeSecret(secret, "STOWAGEABC", "rotated");

        assertThat(Files.readString(secret.resolve("AWS_ACCESS_KEY_ID"))).isEqualTo("STOWAGEABC");
        assertThat(Files.readString(secret.resolve("AWS_SECRET_ACCESS_KEY"))).isEqualTo("rotated");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret.resolve("AWS_SECRET_ACCESS_KEY"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rwx------");
        try (var files = Files.list(secret)) {
            assertThat(files).extracting(p -> p.getFileName().toString())
                    .containsExactlyInAnyOrder("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
        }
    }

    @Test
    void notBuiltWithoutTheJarAndNotRunningWithoutItsWorkDirectory() {
        LocalS3 s3 = new LocalS3(new StowageHome(dir.resolve("home")), dir.resolve("project"));

        assertThat(s3.isBuilt()).isFalse();
        assertThat(s3.isRunning()).isFalse();
        assertThat(s3.running()).isEmpty();
        assertThat(s3.stop()).isFalse();
        assertThat(s3.endpointOrDefault()).hasToString("http://127.0.0.1:9000");
        assertThat(s3.jar()).isEqualTo(dir.resolve("project/s3proxy-server/target/s3proxy/s3proxy.jar"));
    }
}
