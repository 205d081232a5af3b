package io.stowage.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretsFolderTest {

    @TempDir
    Path dir;

    @Test
    void readsAKeyOfASecretAsAFile() throws IOException {
        Files.createDirectories(dir.resolve("s3-creds"));
        Files.writeString(dir.resolve("s3-creds/AWS_ACCESS_KEY_ID"), "AKIDEXAMPLE");

        assertThat(new SecretsFolder(dir).read("s3-creds", "AWS_ACCESS_KEY_ID")).asString().isEqualTo("AKIDEXAMPLE");
    }

    @Test
    void aMissingSecretIsNamed() {
        assertThatThrownBy(() -> new SecretsFolder(dir).read("s3-creds", "AWS_ACCESS_KEY_ID"))
                .isInstanceOf(MissingSecretException.class)
                .hasMessageContaining("secret 's3-creds' not found");
    }

    @Test
    void aMissingKeyIsNamedWithItsSecretButNoValue() throws IOException {
        Files.createDirectories(dir.resolve("s3-creds"));
        Files.writeString(dir.resolve("s3-creds/AWS_ACCESS_KEY_ID"), "AKIDEXAMPLE");

        assertThatThrownBy(() -> new SecretsFolder(dir).read("s3-creds", "AWS_SECRET_ACCESS_KEY"))
                .isInstanceOf(MissingSecretException.class)
                .hasMessageContaining("secret 's3-creds' has no key 'AWS_SECRET_ACCESS_KEY'")
                .hasMessageNotContaining("AKIDEXAMPLE")
                .satisfies(e -> {
                    MissingSecretException missing = (MissingSecretException) e;
                    assertThat(missing.secret()).isEqualTo("s3-creds");
                    assertThat(missing.key()).isEqualTo("AWS_SECRET_ACCESS_KEY");
                });
    }

    @Test
    void namesThatCouldLeaveTheFolderAreRefused() throws IOException {
        Files.writeString(dir.resolve("outside"), "x");
        SecretsFolder secrets = new SecretsFolder(dir.resolve("secrets"));

        assertThatThrownBy(() -> secrets.read("..", "outside")).isInstanceOf(MissingSecretException.class);
        assertThatThrownBy(() -> secrets.read("a/b", "c")).isInstanceOf(MissingSecretException.class);
        assertThatThrownBy(() -> secrets.read("ok", "../x")).isInstanceOf(MissingSecretException.class);
        assertThatThrownBy(() -> secrets.read("ok", "..")).isInstanceOf(MissingSecretException.class);
    }
}
