package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** S3Proxy as the tests and the local stack use it: a real S3 API over HTTP and over HTTPS with a test CA. */
class S3ProxyServerIT {
    private static final int PART_SIZE = 5 * 1024 * 1024; // S3's smallest part but the last

    @TempDir
    Path tmp;

    @AfterEach
    void stopLeftovers() {
        S3ProxyServer.stop(tmp.resolve("detached"));
    }

    @Test
    void overHttpAnUnsignedRequestIsAnsweredWithAccessDenied() throws Exception {
        S3ProxyServer server = SharedS3.http();

        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(server.endpoint().resolve("/")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(server.endpoint().getScheme()).isEqualTo("http");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("AccessDenied");
    }

    @Test
    void overHttpsAClientTrustingTheGeneratedCaIsAnswered() throws Exception {
        S3ProxyServer server = SharedS3.https();
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TestCertificates.trusting(server.caCertificatePem())).build();

        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(server.endpoint().resolve("/")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(server.endpoint().getScheme()).isEqualTo("https");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(Files.readString(server.caCertificatePem())).startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void overHttpsAWrongCaBundleOrTheJdksOwnFailTheHandshake() {
        S3ProxyServer server = SharedS3.https();
        HttpRequest request = HttpRequest.newBuilder(server.endpoint().resolve("/")).build();
        HttpClient wrongCa = HttpClient.newBuilder()
                .sslContext(TestCertificates.trusting(TestCertificates.unrelatedCaPem(tmp.resolve("wrong")))).build();

        assertThatThrownBy(() -> wrongCa.send(request, HttpResponse.BodyHandlers.discarding()))
                .isInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void aCreatedBucketServesSignedCallsAndMultipartUploadsOverHttp() {
        exerciseBucket(SharedS3.http());
    }

    @Test
    void aCreatedBucketServesSignedCallsAndMultipartUploadsOverHttps() {
        exerciseBucket(SharedS3.https());
    }

    @Test
    void aRestartOnTheSameDirectoryKeepsCredentialsCaAndObjects() throws IOException {
        Path dir = tmp.resolve("restart");
        String accessKeyId;
        String ca;
        try (S3ProxyServer first = S3ProxyServer.start(dir, true); S3Client s3 = S3Clients.of(first)) {
            accessKeyId = first.accessKeyId();
            ca = Files.readString(first.caCertificatePem());
            first.createBucket("kept");
            s3.putObject(b -> b.bucket("kept").key("a/b.txt"), RequestBody.fromString("still here"));
        }

        try (S3ProxyServer second = S3ProxyServer.start(dir, true); S3Client s3 = S3Clients.of(second)) {
            assertThat(second.accessKeyId()).isEqualTo(accessKeyId);
            assertThat(Files.readString(second.caCertificatePem())).isEqualTo(ca);
            assertThat(s3.getObjectAsBytes(b -> b.bucket("kept").key("a/b.txt")).asUtf8String())
                    .isEqualTo("still here");
        }
    }

    @Test
    void aDetachedServerOutlivesItsLauncherAndStopsFromItsPidFile() throws Exception {
        Path dir = tmp.resolve("detached");
        Process launcher = new ProcessBuilder(JavaCommand.javaBinary(),
                "-cp", System.getProperty("java.class.path"),
                "-D" + S3ProxyJar.PROPERTY + "=" + S3ProxyJar.locate(),
                DetachedS3Launcher.class.getName(), dir.toString(), "false")
                .redirectErrorStream(true)
                .start();
        String output = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(launcher.waitFor(30, TimeUnit.SECONDS)).as("launcher exited; output:%n%s", output).isTrue();
        assertThat(launcher.exitValue()).as("launcher output:%n%s", output).isZero();

        assertThat(S3ProxyServer.isRunning(dir)).isTrue();
        S3ProxyServer running = S3ProxyServer.running(dir).orElseThrow();
        assertThat(output).contains(DetachedS3Launcher.ENDPOINT_PREFIX + running.endpoint());
        try (S3Client s3 = S3Clients.of(running)) {
            running.createBucket("detached-bucket");
            assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).contains("detached-bucket");
        }
        running.close(); // leaves a detached server running
        assertThat(S3ProxyServer.isRunning(dir)).isTrue();

        assertThat(S3ProxyServer.stop(dir)).isTrue();

        assertThat(ProcessHandle.of(running.pid()).filter(ProcessHandle::isAlive)).as("S3Proxy process").isEmpty();
        assertThat(S3ProxyServer.isRunning(dir)).isFalse();
        assertThat(S3ProxyServer.running(dir)).isEmpty();
        assertThat(S3ProxyServer.stop(dir)).as("nothing left to stop").isFalse();
    }

    @Test
    void aRequestSignedWithTheWrongSecretIsRefused() {
        S3ProxyServer server = SharedS3.http();
        S3Client wrongSecret = S3Client.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(server.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKeyId(), "not-the-secret")))
                .forcePathStyle(true)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();

        try (wrongSecret) {
            assertThatThrownBy(wrongSecret::listBuckets).isInstanceOfSatisfying(S3Exception.class,
                    e -> assertThat(e.statusCode()).isEqualTo(403));
        }
    }

    @Test
    void bucketNamesFollowS3sRules() {
        S3ProxyServer server = SharedS3.http();

        assertThatThrownBy(() -> server.createBucket("../escape")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.createBucket("Upper")).isInstanceOf(IllegalArgumentException.class);
    }

    private static void exerciseBucket(S3ProxyServer server) {
        String bucket = "bucket-" + UUID.randomUUID().toString().substring(0, 8);
        server.createBucket(bucket);
        server.createBucket(bucket); // again: nothing happens
        byte[] large = new byte[PART_SIZE + 1024];
        new Random(42).nextBytes(large);

        try (S3Client s3 = S3Clients.of(server)) {
            assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).contains(bucket);

            s3.putObject(b -> b.bucket(bucket).key("small.txt"), RequestBody.fromString("hello"));
            String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("base/large.bin")).uploadId();
            String first = s3.uploadPart(b -> b.bucket(bucket).key("base/large.bin").uploadId(uploadId).partNumber(1),
                    RequestBody.fromBytes(Arrays.copyOfRange(large, 0, PART_SIZE))).eTag();
            String second = s3.uploadPart(b -> b.bucket(bucket).key("base/large.bin").uploadId(uploadId).partNumber(2),
                    RequestBody.fromBytes(Arrays.copyOfRange(large, PART_SIZE, large.length))).eTag();
            s3.completeMultipartUpload(b -> b.bucket(bucket).key("base/large.bin").uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(
                            CompletedPart.builder().partNumber(1).eTag(first).build(),
                            CompletedPart.builder().partNumber(2).eTag(second).build()).build()));

            assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key)
                    .isEqualTo(List.of("base/large.bin", "small.txt"));
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("base/large.bin")).asByteArray()).isEqualTo(large);
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("small.txt")).asUtf8String()).isEqualTo("hello");
        }
    }
}
