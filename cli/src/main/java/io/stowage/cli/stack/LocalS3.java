package io.stowage.cli.stack;

import io.stowage.localstack.S3ProxyServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The local stack's S3 server: an S3Proxy (local-stack's {@link S3ProxyServer}, filesystem backend, plain HTTP) run
 * detached from {@code .stowage/s3}, with the bucket {@value #BUCKET} and its key pair in the secret
 * {@value #SECRET}, so that a config names the secret and never holds the key.
 */
public final class LocalS3 {
    public static final int DEFAULT_PORT = 9000;
    public static final String BUCKET = "stowage";
    public static final String SECRET = "local-s3";
    public static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    public static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
    /** Where the s3proxy-server module gathers S3Proxy's runnable jar, relative to the project directory. */
    static final String JAR = "s3proxy-server/target/s3proxy/s3proxy.jar";
    /** local-stack's own setting for the jar; set only while this class starts the server. */
    static final String JAR_PROPERTY = "stowage.s3proxy.jar";

    private final StowageHome home;
    private final Path jar;

    public LocalS3(StowageHome home, Path projectDir) {
        this.home = home;
        this.jar = projectDir.resolve(JAR).toAbsolutePath().normalize();
    }

    public Path workDir() {
        return home.s3();
    }

    public Path jar() {
        return jar;
    }

    public boolean isBuilt() {
        return Files.isRegularFile(jar);
    }

    public boolean isRunning() {
        return Files.isDirectory(workDir()) && S3ProxyServer.isRunning(workDir());
    }

    /** The running server (endpoint, credentials, data directory); closing it leaves it running. */
    public Optional<S3ProxyServer> running() {
        return Files.isDirectory(workDir()) ? S3ProxyServer.running(workDir()) : Optional.empty();
    }

    /** The endpoint of the running server, or the default one. */
    public URI endpointOrDefault() {
        return running().map(S3ProxyServer::endpoint).orElse(URI.create("http://127.0.0.1:" + DEFAULT_PORT));
    }

    /** Where the bucket's objects are: S3Proxy keeps each object as a file, its key the path below this folder. */
    public Path bucketDirectory() {
        return workDir().resolve("data").resolve(BUCKET);
    }

    /** The folder of the secret with the key pair: {@code secrets/local-s3/}. */
    public Path secretFolder() {
        return home.secrets().resolve(SECRET);
    }

    /** Starts the server detached on 127.0.0.1:{@code port} over HTTP; blocks until it answers, at most 60 s. */
    public S3ProxyServer start(int port) {
        return withJar(() -> S3ProxyServer.startDetached(workDir(), port, false));
    }

    /** SIGTERM, then SIGKILL after 30 s; false when none was running. Only the process of this work directory. */
    public boolean stop() {
        return Files.isDirectory(workDir()) && S3ProxyServer.stop(workDir());
    }

    /**
     * The bucket (a folder for S3Proxy's filesystem backend) and the secret with the server's key pair; both are
     * made again when missing, and the secret follows the server's credentials.
     */
    public void provision(S3ProxyServer server) {
        server.createBucket(BUCKET);
        writeSecret(secretFolder(), server.accessKeyId(), server.secretAccessKey());
    }

    /**
     * The secret as a mounted Kubernetes Secret looks: one file per key, the value without a newline. Each file is
     * written to a temp file and renamed, readable by its owner only.
     */
    static void writeSecret(Path folder, String accessKeyId, String secretAccessKey) {
        try {
            Files.createDirectories(folder);
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
            writePrivate(folder.resolve(ACCESS_KEY_ID), accessKeyId);
            writePrivate(folder.resolve(SECRET_ACCESS_KEY), secretAccessKey);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the secret " + folder, e);
        }
    }

    private static void writePrivate(Path file, String value) throws IOException {
        if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(value)) {
            return;
        }
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, value, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** local-stack finds the jar through a system property: this project's jar, only for the call. */
    private <T> T withJar(Supplier<T> action) {
        String previous = System.getProperty(JAR_PROPERTY);
        System.setProperty(JAR_PROPERTY, jar.toString());
        try {
            return action.get();
        } finally {
            if (previous == null) {
                System.clearProperty(JAR_PROPERTY);
            } else {
                System.setProperty(JAR_PROPERTY, previous);
            }
        }
    }
}
