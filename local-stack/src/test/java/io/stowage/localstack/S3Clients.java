package io.stowage.localstack;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** AWS SDK clients for an S3Proxy, configured as a storage profile would be: endpoint, key pair, path style, CA. */
final class S3Clients {
    private S3Clients() {
    }

    static S3Client of(S3ProxyServer server) {
        UrlConnectionHttpClient.Builder http = UrlConnectionHttpClient.builder();
        if (server.https()) {
            http.tlsTrustManagersProvider(() -> TestCertificates.trustManagers(server.caCertificatePem()));
        }
        return S3Client.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(server.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKeyId(), server.secretAccessKey())))
                // A custom endpoint is an address, not a domain with bucket subdomains.
                .forcePathStyle(true)
                .httpClientBuilder(http)
                .build();
    }
}
