package io.stowage.storage.s3;

import io.stowage.localstack.SharedS3;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.MissingSecretException;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.RandomContent;
import io.stowage.storage.StorageException;
import io.stowage.storage.StorageTuning;
import io.stowage.storage.Storages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS, credentials and secrets of an S3 storage, against a real S3 API server over HTTPS. */
class S3TlsIT {

    private static final StorageTuning SMALL_PARTS = StorageTuning.DEFAULTS.withPartSize(5 << 20).withRangeSize(5 << 20);

    @TempDir
    Path dir;

    private S3Fixture s3;

    @BeforeEach
    void start() {
        s3 = new S3Fixture(SharedS3.https(), dir);
    }

    @AfterEach
    void stop() {
        s3.close();
    }

    @Test
    void theServersCaBundleIsTrusted() throws IOException {
        s3.trustServerCa();
        try (BackupStorage storage = open(s3.spec(null, S3Fixture.CA, null))) {
            storage.checkAccess();
            String written;
            try (ObjectUpload upload = storage.upload("backups/b1/base.tar.zst")) {
                written = RandomContent.write(upload, 12L << 20, 1);
                upload.complete();
            }
            assertThat(RandomContent.sha256Of(storage.download("backups/b1/base.tar.zst"))).isEqualTo(written);
        }
    }

    @Test
    void aBundleOfSeveralCertificatesWithCommentsIsRead() throws IOException {
        String unrelated = new String(S3Fixture.read(io.stowage.localstack.TestCertificates.unrelatedCaPem(dir.resolve("other"))),
                StandardCharsets.US_ASCII);
        String right = new String(S3Fixture.read(s3.server.caCertificatePem()), StandardCharsets.US_ASCII);
        s3.writeSecret(S3Fixture.CA, "ca.crt", ("# corporate bundle\n" + unrelated + "\nsubject=the test CA\n" + right)
                .getBytes(StandardCharsets.US_ASCII));
        try (BackupStorage storage = open(s3.spec("custom/prefix", S3Fixture.CA, null))) {
            storage.writeSmall("x", new byte[] {42});
            assertThat(storage.readSmall("x")).containsExactly(42);
        }
        assertThat(s3.raw.headObject(r -> r.bucket(s3.bucket).key("custom/prefix/x")).contentLength()).isEqualTo(1);
    }

    @Test
    void aWrongCaBundleIsRefusedWithAClearMessage() {
        s3.trustUnrelatedCa(dir.resolve("unrelated"));
        try (BackupStorage storage = open(s3.spec(null, S3Fixture.CA, null))) {
            assertThatThrownBy(storage::checkAccess)
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("storage 's3-tls'")
                    .hasMessageContaining("the server's certificate is not trusted by the configured CA bundle"
                            + " (secret 's3-ca', key ca.crt)");
            assertThatThrownBy(() -> storage.writeSmall("x", new byte[1]))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("not trusted by the configured CA bundle");
        }
    }

    @Test
    void withoutACaBundleTheJvmTrustStoreRefusesATestCa() {
        try (BackupStorage storage = open(s3.spec(null, null, null))) {
            assertThatThrownBy(storage::checkAccess)
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("storage 's3-tls'")
                    .hasMessageContaining("not trusted by the JVM's default trust store");
        }
    }

    @Test
    void insecureSkipTlsVerifyTrustsAnyCertificate() throws IOException {
        try (BackupStorage storage = open(s3.spec(null, null, true))) {
            storage.writeSmall("x", new byte[] {7});
            assertThat(storage.readSmall("x")).containsExactly(7);
        }
    }

    @Test
    void aMissingSecretIsNamed() {
        assertThatThrownBy(() -> open(s3.spec(null, "no-such-ca", null)))
                .isInstanceOf(MissingSecretException.class)
                .hasMessageContaining("storage 's3-tls'")
                .hasMessageContaining("secret 'no-such-ca' not found");
    }

    @Test
    void wrongCredentialsAreNamed() {
        s3.trustServerCa();
        s3.writeSecret(S3Fixture.CREDENTIALS, "AWS_SECRET_ACCESS_KEY", "wrong".getBytes(StandardCharsets.UTF_8));
        try (BackupStorage storage = open(s3.spec(null, S3Fixture.CA, null))) {
            assertThatThrownBy(storage::checkAccess)
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("storage 's3-tls'")
                    .hasMessageContaining("access denied")
                    .hasMessageContaining("secret 's3-creds'")
                    .hasMessageNotContaining("wrong");
        }
    }

    private BackupStorage open(io.stowage.events.spec.StorageSpec spec) {
        return Storages.open("pg1", "s3-tls", spec, s3.secrets(), SMALL_PARTS);
    }
}
