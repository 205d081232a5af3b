package io.stowage.localstack;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds S3Proxy's runnable jar, which the s3proxy-server module gathers at build time. */
final class S3ProxyJar {
    static final String PROPERTY = "stowage.s3proxy.jar";
    static final String ENV = "STOWAGE_S3PROXY_JAR";
    static final Path BUILD_OUTPUT = Path.of("s3proxy-server", "target", "s3proxy", "s3proxy.jar");

    private S3ProxyJar() {
    }

    /** The jar: system property, then environment variable, then a parent of the working directory. */
    static Path locate() {
        return locate(System.getProperty(PROPERTY), System.getenv(ENV), Path.of("").toAbsolutePath());
    }

    static Path locate(String property, String env, Path from) {
        if (isSet(property) && Files.isRegularFile(Path.of(property))) {
            return Path.of(property).toAbsolutePath();
        }
        if (isSet(env) && Files.isRegularFile(Path.of(env))) {
            return Path.of(env).toAbsolutePath();
        }
        for (Path dir = from.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(BUILD_OUTPUT))) {
                return dir.resolve(BUILD_OUTPUT);
            }
        }
        throw new IllegalStateException("No S3Proxy jar found. Looked at: system property " + PROPERTY + "="
                + property + ", environment variable " + ENV + "=" + env + ", and " + BUILD_OUTPUT
                + " in " + from.toAbsolutePath() + " and its parents. Build the s3proxy-server module"
                + " (./mvnw -pl s3proxy-server install) or point " + PROPERTY
                + " at org.gaul:s3proxy's jar-with-dependencies.");
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
