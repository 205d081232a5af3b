package io.stowage.localstack;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/** The files of one S3Proxy: its objects, settings, credentials, certificates, log and pid, all under one directory. */
record S3ProxyWorkDir(Path root) {
    private static final int LOG_TAIL_LINES = 30;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The access key pair S3Proxy accepts, made on the first start and kept, so that clients stay configured. */
    record Credentials(String accessKeyId, String secretAccessKey) {
    }

    S3ProxyWorkDir {
        root = root.toAbsolutePath().normalize();
    }

    /** {@code jclouds.filesystem.basedir}: one directory per bucket, one file per object. */
    Path data() {
        return root.resolve("data");
    }

    Path properties() {
        return root.resolve("s3proxy.properties");
    }

    Path credentialsFile() {
        return root.resolve("credentials.properties");
    }

    Path tls() {
        return root.resolve("tls");
    }

    Path log() {
        return root.resolve("s3proxy.log");
    }

    Path pidFile() {
        return root.resolve("s3proxy.pid");
    }

    Credentials credentials() throws IOException {
        Path file = credentialsFile();
        if (Files.exists(file)) {
            Properties kept = load(file);
            return new Credentials(kept.getProperty("access-key-id"), kept.getProperty("secret-access-key"));
        }
        // Shaped like AWS's (20 upper-case characters, a 40-character secret), which some clients check.
        Credentials made = new Credentials("STOWAGE" + randomHex(7).substring(0, 13).toUpperCase(Locale.ROOT),
                randomHex(20));
        LocalFiles.writePrivate(file, "# The S3 access key pair of the S3Proxy in this directory.\n"
                + "access-key-id=" + made.accessKeyId() + "\n"
                + "secret-access-key=" + made.secretAccessKey() + "\n");
        return made;
    }

    /** S3Proxy's own settings as written at the last start. */
    Properties settings() throws IOException {
        return load(properties());
    }

    void writePid(long pid) throws IOException {
        Files.writeString(pidFile(), pid + "\n");
    }

    void deletePid() {
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            // A stale pid file is harmless: runningServer() checks the process behind it.
        }
    }

    /** The live S3Proxy process named by the pid file, if there is one. */
    Optional<ProcessHandle> runningServer() throws IOException {
        if (!Files.exists(pidFile())) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile()).strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        // Pids get reused: only a process started with this directory's settings is ours to report or to kill.
        String settings = properties().toString();
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(line -> line.contains(settings)).orElse(true));
    }

    /** Why S3Proxy did not start, with the end of its log so that nobody has to go and open it. */
    IllegalStateException startFailure(String reason) {
        return new IllegalStateException("S3Proxy in " + root + " did not start: " + reason
                + ". Last " + LOG_TAIL_LINES + " lines of " + log() + ":\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> all = new String(Files.readAllBytes(log()), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - LOG_TAIL_LINES), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log() + ": " + e + ")";
        }
    }

    private static Properties load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        return properties;
    }

    private static String randomHex(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }
}
