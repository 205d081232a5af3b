package io.stowage.localstack;

import java.nio.file.Path;

/** Starts a detached S3Proxy and exits at once, as {@code stowage up} does. */
public final class DetachedS3Launcher {
    static final String ENDPOINT_PREFIX = "endpoint=";

    private DetachedS3Launcher() {
    }

    public static void main(String[] args) {
        S3ProxyServer server = S3ProxyServer.startDetached(Path.of(args[0]), 0, Boolean.parseBoolean(args[1]));
        System.out.println(ENDPOINT_PREFIX + server.endpoint());
    }
}
