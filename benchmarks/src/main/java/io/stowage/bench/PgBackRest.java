package io.stowage.bench;

import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.S3ProxyServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The system's pgBackRest (Debian's 2.45 when installed), for comparison: full backups of one cluster, zstd level 1,
 * two processes, to an S3 repository on S3Proxy over HTTPS that trusts only the test CA. It runs as the server's OS
 * user (it reads the data directory). By default WAL archiving is not configured, so backups run with
 * archive-check=n: they do not wait for the WAL that makes them consistent to reach the repository (Stowage's archives
 * carry that WAL), and cannot be restored to a consistent server. With archiving, the cluster's archive_command is
 * {@link #archiveCommand()} and backups wait for their WAL, as pgBackRest is meant to run, so they restore.
 */
final class PgBackRest {
    static final String STANZA = "bench";
    static final int PROCESS_MAX = 2;
    // pgBackRest 2.45 matches the host name against the certificate's DNS names only, not its IP addresses; the test
    // certificate names localhost too, and localhost is 127.0.0.1 here.
    private static final String TLS_HOST = "localhost";

    private final Path dir;
    private final Path config;
    private final PostgresCluster pg;
    private final S3ProxyServer s3;
    private final String bucket;
    private final boolean archiving;

    /** Whether a {@code pgbackrest} program is on the PATH. */
    static boolean installed() {
        return Commands.onPath("pgbackrest");
    }

    PgBackRest(Path dir, PostgresCluster pg, S3ProxyServer s3, String bucket) throws IOException {
        this(dir, pg, s3, bucket, false);
    }

    /** @param archiving whether the cluster archives its WAL with {@link #archiveCommand()} (archive-check=y) */
    PgBackRest(Path dir, PostgresCluster pg, S3ProxyServer s3, String bucket, boolean archiving) throws IOException {
        this.dir = dir;
        this.archiving = archiving;
        this.pg = pg;
        this.s3 = s3;
        this.bucket = bucket;
        this.config = dir.resolve("pgbackrest.conf");
        for (String sub : List.of("log", "lock", "spool")) {
            Files.createDirectories(dir.resolve(sub));
        }
        Path ca = Files.copy(s3.caCertificatePem(), dir.resolve("ca.pem"));
        s3.createBucket(bucket);
        Path sockets = pg.dataDirectory().getParent().resolve("sockets");
        String text = """
                # Written by io.stowage.bench.PgBackRest for one benchmark run.
                [global]
                repo1-type=s3
                repo1-path=/pgbackrest
                repo1-s3-bucket=%s
                repo1-s3-endpoint=%s
                repo1-storage-port=%d
                repo1-s3-region=%s
                repo1-s3-key=%s
                repo1-s3-key-secret=%s
                repo1-s3-uri-style=path
                repo1-storage-ca-file=%s
                repo1-retention-full=99
                compress-type=zst
                compress-level=1
                process-max=%d
                start-fast=y
                archive-check=%s
                log-level-console=warn
                log-level-file=off
                log-path=%s
                lock-path=%s
                spool-path=%s

                [%s]
                pg1-path=%s
                pg1-port=%d
                pg1-socket-path=%s
                pg1-user=%s
                """.formatted(bucket, TLS_HOST, s3.endpoint().getPort(), s3.region(), s3.accessKeyId(),
                s3.secretAccessKey(), ca, PROCESS_MAX, archiving ? "y" : "n", dir.resolve("log"), dir.resolve("lock"), dir.resolve("spool"),
                STANZA, pg.dataDirectory(), pg.port(), sockets, pg.user());
        Files.writeString(config, text);
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        if (switched()) {
            Commands.runOrThrow(List.of("chown", "-R", pg.osUser() + ":", dir.toString()), Map.of(),
                    Duration.ofSeconds(30));
        }
    }

    static String version() {
        return Commands.runOrThrow(List.of("pgbackrest", "version"), Map.of(), Duration.ofSeconds(30)).output().strip();
    }

    void stanzaCreate() {
        Commands.runOrThrow(command("stanza-create"), Map.of(), Duration.ofMinutes(2));
    }

    /** One full backup, timed from start to exit. */
    Commands.Result fullBackup() {
        return Commands.runOrThrow(command("--type=full", "backup"), Map.of(), Duration.ofMinutes(15));
    }

    /** The cluster's archive_command, quoted for postgresql.conf and ALTER SYSTEM. */
    String archiveCommand() {
        return "'pgbackrest --config=" + config + " --stanza=" + STANZA + " archive-push %p'";
    }

    /**
     * Restores the newest backup into an empty folder that the server's OS user owns (mode 0700), with process-max
     * processes, set to recover to the backup's consistency point and promote (restore_command is pgBackRest's
     * archive-get), archiving off on the copy so it pushes nothing into the repository. Timed from start to exit.
     */
    Commands.Result restore(Path target) {
        return Commands.runOrThrow(command("--pg1-path=" + target, "--type=immediate", "--target-action=promote",
                "--archive-mode=off", "restore"), Map.of(), Duration.ofMinutes(15));
    }

    /** What the repository holds, as files on S3Proxy's disk. */
    long repositoryBytes() {
        return Commands.treeBytes(s3.dataDirectory().resolve(bucket));
    }

    private boolean switched() {
        return !pg.osUser().equals(System.getProperty("user.name"));
    }

    private List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        if (switched()) {
            command.addAll(List.of("runuser", "-u", pg.osUser(), "--"));
        }
        command.addAll(List.of("pgbackrest", "--config=" + config, "--stanza=" + STANZA));
        command.addAll(List.of(args));
        return command;
    }
}
