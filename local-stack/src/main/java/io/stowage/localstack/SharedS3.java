package io.stowage.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real S3 API server per scheme and JVM for integration tests: an HTTP one and an HTTPS one (with its own test CA),
 * each started on first use and stopped at exit. Tests share them: give each test buckets of its own.
 */
public final class SharedS3 {
    private static S3ProxyServer http;
    private static S3ProxyServer https;
    private static RuntimeException httpFailure;
    private static RuntimeException httpsFailure;

    private SharedS3() {
    }

    /** The shared plain-HTTP server; the first call starts it (a few seconds). */
    public static synchronized S3ProxyServer http() {
        if (httpFailure != null) {
            // Every test class would otherwise wait out its own failed start.
            throw new IllegalStateException("The shared HTTP S3Proxy failed to start earlier in this JVM", httpFailure);
        }
        if (http == null) {
            try {
                http = start(false);
            } catch (RuntimeException e) {
                httpFailure = e;
                throw e;
            }
        }
        return http;
    }

    /** The shared HTTPS server; its {@link S3ProxyServer#caCertificatePem()} is the CA bundle to trust. */
    public static synchronized S3ProxyServer https() {
        if (httpsFailure != null) {
            throw new IllegalStateException("The shared HTTPS S3Proxy failed to start earlier in this JVM",
                    httpsFailure);
        }
        if (https == null) {
            try {
                https = start(true);
            } catch (RuntimeException e) {
                httpsFailure = e;
                throw e;
            }
        }
        return https;
    }

    private static S3ProxyServer start(boolean tls) {
        Path dir;
        try {
            dir = Files.createTempDirectory(tls ? "stowage-s3-https-" : "stowage-s3-http-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a work directory for the shared S3Proxy", e);
        }
        // A failed start keeps its directory: s3proxy.log in it says why.
        S3ProxyServer server = S3ProxyServer.start(dir, tls);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            try {
                LocalFiles.deleteTree(dir);
            } catch (IOException | UncheckedIOException e) {
                // Only a temp directory: the OS cleans it up eventually.
            }
        }, tls ? "stop-shared-s3-https" : "stop-shared-s3-http"));
        return server;
    }
}
