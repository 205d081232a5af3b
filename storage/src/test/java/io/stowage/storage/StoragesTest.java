package io.stowage.storage;

import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.storage.filesystem.FilesystemStorage;
import io.stowage.storage.s3.S3Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Opening storages from their config, without talking to any server. */
class StoragesTest {

    @TempDir
    Path secretsDir;

    @Test
    void opensAnS3StorageWithoutContactingIt() throws IOException {
        writeSecret("s3-creds", "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE\n");
        writeSecret("s3-creds", "AWS_SECRET_ACCESS_KEY", "very-secret\n");

        try (BackupStorage storage = Storages.open("pg1", "s3-main", s3("s3-creds", null), secrets())) {
            assertThat(storage).isInstanceOf(S3Storage.class);
            assertThat(storage.location().prefix()).isEqualTo("stowage/pg1");
            assertThat(storage.describe())
                    .isEqualTo("storage 's3-main' (s3://backups/stowage/pg1 at http://127.0.0.1:1)")
                    .doesNotContain("AKIDEXAMPLE").doesNotContain("very-secret");
        }
    }

    @Test
    void aMissingCredentialsSecretIsNamed() {
        assertThatThrownBy(() -> Storages.open("pg1", "s3-main", s3("s3-creds", null), secrets()))
                .isInstanceOf(MissingSecretException.class)
                .hasMessageContaining("storage 's3-main'")
                .hasMessageContaining("secret 's3-creds' not found");
    }

    @Test
    void aMissingKeyIsNamedWithoutTheOtherValue() throws IOException {
        writeSecret("s3-creds", "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");

        assertThatThrownBy(() -> Storages.open("pg1", "s3-main", s3("s3-creds", null), secrets()))
                .isInstanceOf(MissingSecretException.class)
                .hasMessageContaining("storage 's3-main'")
                .hasMessageContaining("secret 's3-creds' has no key 'AWS_SECRET_ACCESS_KEY'")
                .hasMessageNotContaining("AKIDEXAMPLE");
    }

    @Test
    void aCaBundleSecretWithoutCaCrtIsNamed() throws IOException {
        writeCredentials();
        Files.createDirectories(secretsDir.resolve("s3-ca"));

        assertThatThrownBy(() -> Storages.open("pg1", "s3-main", s3("s3-creds", "s3-ca"), secrets()))
                .isInstanceOf(MissingSecretException.class)
                .hasMessageContaining("secret 's3-ca' has no key 'ca.crt'");
    }

    @Test
    void aCaBundleWithoutCertificatesIsRefused() throws IOException {
        writeCredentials();
        writeSecret("s3-ca", "ca.crt", "not a certificate");

        assertThatThrownBy(() -> Storages.open("pg1", "s3-main", s3("s3-creds", "s3-ca"), secrets()))
                .isInstanceOf(StorageConfigException.class)
                .hasMessageContaining("storage 's3-main'")
                .hasMessageContaining("secret 's3-ca' key ca.crt holds no PEM certificate");
    }

    @Test
    void aCorruptCertificateIsRefused() throws IOException {
        writeCredentials();
        writeSecret("s3-ca", "ca.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        assertThatThrownBy(() -> Storages.open("pg1", "s3-main", s3("s3-creds", "s3-ca"), secrets()))
                .isInstanceOf(StorageConfigException.class)
                .hasMessageContaining("unreadable certificate");
    }

    @Test
    void incompleteSpecsAreRefusedWithTheField() {
        assertThatThrownBy(() -> Storages.open("pg1", "x", new StorageSpec(true, null, null, null), secrets()))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("type is required");
        assertThatThrownBy(() -> Storages.open("pg1", "x", new StorageSpec(true, StorageType.S3, null, null), secrets()))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("s3 section");
        assertThatThrownBy(() -> Storages.open("pg1", "x", new StorageSpec(true, StorageType.S3,
                new S3Spec(null, null, "http://127.0.0.1:1", null, null, null, null, null), null), secrets()))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("s3.bucket is required");
        assertThatThrownBy(() -> Storages.open("pg1", "x", new StorageSpec(true, StorageType.S3,
                new S3Spec("b", null, "ftp://host", null, null, null, null, null), null), secrets()))
                .isInstanceOf(StorageConfigException.class).hasMessageContaining("s3.endpointUrl");
        assertThatThrownBy(() -> Storages.open("pg1", "x", new StorageSpec(true, StorageType.FILESYSTEM, null, null),
                secrets())).isInstanceOf(StorageConfigException.class).hasMessageContaining("filesystem.path");
    }

    @Test
    void opensAFilesystemStorage() {
        try (BackupStorage storage = Storages.open("ns/pg1", "local", new StorageSpec(null, StorageType.FILESYSTEM,
                null, new io.stowage.events.spec.FilesystemSpec(secretsDir.toString(), null)), secrets())) {
            assertThat(storage).isInstanceOf(FilesystemStorage.class);
            assertThat(((FilesystemStorage) storage).root()).isEqualTo(secretsDir.resolve("stowage/ns/pg1"));
        }
    }

    private StorageSpec s3(String credentials, String ca) {
        return new StorageSpec(true, StorageType.S3,
                new S3Spec("backups", null, "http://127.0.0.1:1", null, null, credentials, ca, null), null);
    }

    private void writeCredentials() throws IOException {
        writeSecret("s3-creds", "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
        writeSecret("s3-creds", "AWS_SECRET_ACCESS_KEY", "very-secret");
    }

    private void writeSecret(String secret, String key, String value) throws IOException {
        Files.createDirectories(secretsDir.resolve(secret));
        Files.writeString(secretsDir.resolve(secret).resolve(key), value);
    }

    private SecretsFolder secrets() {
        return new SecretsFolder(secretsDir);
    }
}
