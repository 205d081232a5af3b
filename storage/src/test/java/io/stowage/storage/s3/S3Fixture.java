package io.stowage.storage.s3;

import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.localstack.S3ProxyServer;
import io.stowage.localstack.TestCertificates;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.SecretsFolder;
import io.stowage.storage.StorageTuning;
import io.stowage.storage.Storages;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** A bucket of its own on a shared S3Proxy, a secrets folder for it, and storage specs pointing there. */
final class S3Fixture implements AutoCloseable {

    static final String CREDENTIALS = "s3-creds";
    static final String CA = "s3-ca";
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    final S3ProxyServer server;
    final String bucket;
    final Path secretsDir;
    final S3Client raw;

    S3Fixture(S3ProxyServer server, Path dir) {
        this.server = server;
        this.bucket = "it-" + ProcessHandle.current().pid() + "-" + BUCKETS.incrementAndGet();
        this.secretsDir = dir.resolve("secrets");
        server.createBucket(bucket);
        writeSecret(CREDENTIALS, "AWS_ACCESS_KEY_ID", server.accessKeyId().getBytes());
        writeSecret(CREDENTIALS, "AWS_SECRET_ACCESS_KEY", server.secretAccessKey().getBytes());
        var http = ApacheHttpClient.builder();
        if (server.https()) {
            http.tlsTrustManagersProvider(() -> CaBundle.trustManagers(CaBundle.parse(read(server.caCertificatePem()), "test CA")));
        }
        this.raw = S3Client.builder()
                .httpClientBuilder(http)
                .endpointOverride(server.endpoint())
                .region(Region.of(server.region()))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKeyId(), server.secretAccessKey())))
                .build();
    }

    /** A spec for this bucket with the given prefix (null: the default), CA secret and TLS switch. */
    StorageSpec spec(String prefix, String caSecret, Boolean insecure) {
        return new StorageSpec(true, StorageType.S3, new S3Spec(bucket, null, server.endpoint().toString(), prefix,
                true, CREDENTIALS, caSecret, insecure), null);
    }

    BackupStorage open(String cluster, String name, StorageTuning tuning) {
        return Storages.open(cluster, name, spec(null, server.https() ? CA : null, null), secrets(), tuning);
    }

    SecretsFolder secrets() {
        return new SecretsFolder(secretsDir);
    }

    void trustServerCa() {
        writeSecret(CA, "ca.crt", read(server.caCertificatePem()));
    }

    void trustUnrelatedCa(Path dir) {
        writeSecret(CA, "ca.crt", read(TestCertificates.unrelatedCaPem(dir)));
    }

    void writeSecret(String secret, String key, byte[] value) {
        try {
            Files.createDirectories(secretsDir.resolve(secret));
            Files.write(secretsDir.resolve(secret).resolve(key), value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        raw.close();
    }
}
