package io.stowage.storage.s3;

import io.stowage.events.spec.S3Spec;
import io.stowage.storage.MissingSecretException;
import io.stowage.storage.SecretSource;
import io.stowage.storage.StorageConfigException;
import io.stowage.storage.StorageTuning;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.utils.AttributeMap;
import software.amazon.awssdk.utils.SdkAutoCloseable;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.TrustManager;

/** An S3 client built from a storage's spec and secrets, with the HTTP client and credentials it owns. */
record S3Connection(S3Client client, SdkHttpClient http, AwsCredentialsProvider credentials, String trustSource)
        implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(S3Connection.class);

    static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
    static final String CA_CERT = "ca.crt";
    /** The region S3-compatible servers expect when the config names none. */
    static final String DEFAULT_CUSTOM_REGION = "us-east-1";

    /**
     * Builds the client. Secrets are read here, so a missing one fails the open with a message that
     * names it.
     */
    static S3Connection open(String storageName, S3Spec spec, SecretSource secrets, StorageTuning tuning) {
        String where = "storage '" + storageName + "'";
        if (spec.bucket() == null || spec.bucket().isBlank()) {
            throw new StorageConfigException(where + ": s3.bucket is required");
        }
        URI endpoint = endpoint(where, spec.endpointUrl());
        Region region = region(where, spec.region(), endpoint);
        boolean insecure = Boolean.TRUE.equals(spec.insecureSkipTLSVerify());

        TrustManager[] trust = null;
        String trustSource = "the JVM's default trust store";
        if (insecure) {
            trustSource = "nothing (insecureSkipTLSVerify)";
            LOG.warnf("%s: insecureSkipTLSVerify is set: the server's TLS certificate and host name are NOT"
                    + " verified", where);
        } else if (spec.caBundleSecret() != null && !spec.caBundleSecret().isBlank()) {
            trustSource = "the configured CA bundle (secret '" + spec.caBundleSecret() + "', key " + CA_CERT + ")";
            byte[] pem = read(secrets, where, spec.caBundleSecret(), CA_CERT);
            trust = CaBundle.trustManagers(CaBundle.parse(pem,
                    where + " secret '" + spec.caBundleSecret() + "' key " + CA_CERT));
        }

        AwsCredentialsProvider credentials = credentials(where, spec, secrets);
        SdkHttpClient http = httpClient(tuning, trust, insecure);
        try {
            var builder = S3Client.builder()
                    .httpClient(http)
                    .region(region)
                    .credentialsProvider(credentials)
                    // Most S3-compatible servers answer only path-style requests on a custom endpoint.
                    .forcePathStyle(spec.forcePathStyle() != null ? spec.forcePathStyle() : endpoint != null);
            if (endpoint != null) {
                // The SDK's default CRC checksums on every request are not understood by every S3-compatible
                // server; send them only where the API requires one.
                builder.endpointOverride(endpoint)
                        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
            }
            return new S3Connection(builder.build(), http, credentials, trustSource);
        } catch (RuntimeException e) {
            http.close();
            closeQuietly(credentials);
            throw new StorageConfigException(where + ": cannot build the S3 client: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        client.close();
        http.close();
        closeQuietly(credentials);
    }

    private static URI endpoint(String where, String endpointUrl) {
        if (endpointUrl == null || endpointUrl.isBlank()) {
            return null;
        }
        try {
            URI uri = new URI(endpointUrl.trim());
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new URISyntaxException(endpointUrl, "expected http(s)://host[:port]");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new StorageConfigException(where + ": s3.endpointUrl is not an http(s) URL: " + endpointUrl);
        }
    }

    private static Region region(String where, String region, URI endpoint) {
        if (region != null && !region.isBlank()) {
            return Region.of(region.trim());
        }
        if (endpoint != null) {
            return Region.of(DEFAULT_CUSTOM_REGION);
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            throw new StorageConfigException(where + ": s3.region is not set and no default AWS region is"
                    + " configured (AWS_REGION, ~/.aws/config)");
        }
    }

    private static AwsCredentialsProvider credentials(String where, S3Spec spec, SecretSource secrets) {
        String secret = spec.credentialsSecret();
        if (secret == null || secret.isBlank()) {
            return DefaultCredentialsProvider.builder().build();
        }
        // Files written by hand often end with a newline: a key never contains whitespace.
        String accessKey = new String(read(secrets, where, secret, ACCESS_KEY_ID), StandardCharsets.UTF_8).strip();
        String secretKey = new String(read(secrets, where, secret, SECRET_ACCESS_KEY), StandardCharsets.UTF_8).strip();
        if (accessKey.isEmpty() || secretKey.isEmpty()) {
            throw new StorageConfigException(where + ": secret '" + secret + "' has an empty "
                    + (accessKey.isEmpty() ? ACCESS_KEY_ID : SECRET_ACCESS_KEY));
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }

    private static byte[] read(SecretSource secrets, String where, String secret, String key) {
        try {
            return secrets.read(secret, key);
        } catch (StorageConfigException e) {
            throw rethrowWithStorage(where, e);
        }
    }

    private static StorageConfigException rethrowWithStorage(String where, StorageConfigException e) {
        if (e instanceof MissingSecretException missing) {
            return new MissingSecretException(missing.secret(), missing.key(),
                    where + ": " + e.getMessage());
        }
        return new StorageConfigException(where + ": " + e.getMessage(), e);
    }

    private static SdkHttpClient httpClient(StorageTuning tuning, TrustManager[] trust, boolean insecure) {
        ApacheHttpClient.Builder builder = ApacheHttpClient.builder()
                .maxConnections(Math.max(50, tuning.threads() * 2))
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(60))
                .tcpKeepAlive(true);
        if (trust != null) {
            builder.tlsTrustManagersProvider(() -> trust);
        }
        if (insecure) {
            // The SDK's own switch: trust every certificate and skip the host name check.
            return builder.buildWithDefaults(AttributeMap.builder()
                    .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE)
                    .build());
        }
        return builder.build();
    }

    private static void closeQuietly(AwsCredentialsProvider credentials) {
        if (credentials instanceof SdkAutoCloseable closeable) {
            closeable.close();
        }
    }
}
