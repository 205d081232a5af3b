package io.stowage.bench;

import io.stowage.events.data.ResyncCompleted;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.RetentionCompleted;
import io.stowage.events.data.RetentionRequested;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.RetentionSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.localstack.KafkaBroker;
import io.stowage.localstack.S3ProxyServer;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.TopicSetup;
import io.stowage.postgres.WalSegments;
import io.stowage.storage.BackupManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Expiry of big storages against the bare floor, in rounds. Each round, for a filesystem storage and for S3Proxy: a
 * storage seeded (straight to disk, in the storage layout) with {@code backups} backups and {@code segments} WAL
 * segments, backup i starting in segment {@code i * segments / backups + 1}, retention {@code keep: backups / 10};
 * resync-service (packaged, -Xmx256m) lists it (a resync, not timed), then expires 90% of the backups and 90% of the
 * WAL: timed from publishing {@code retention.requested.v1} to reading its {@code retention.completed.v1}. Beside it
 * the floor, the same keys (seeded again under a folder of their own) removed by {@code find -delete} and by
 * {@code aws s3 rm --recursive}. The order of the two alternates from round to round.
 */
public final class ExpiryBenchmark {
    private static final String BUCKET = "stowage-expiry-bench";
    private static final long SEGMENT = 16L << 20;

    private final Path work;
    private final Path jar;
    private final int rounds;
    private final int backups;
    private final int fsSegments;
    private final int s3Segments;
    private final List<String> report = new ArrayList<>();
    private KafkaBroker broker;
    private S3ProxyServer s3;
    private ServiceProcess service;
    private int revision;

    private ExpiryBenchmark(Path work, Path jar, int rounds, int backups, int fsSegments, int s3Segments) {
        this.work = work;
        this.jar = jar;
        this.rounds = rounds;
        this.backups = backups;
        this.fsSegments = fsSegments;
        this.s3Segments = s3Segments;
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        int backups = Integer.parseInt(args[1]);
        int fsSegments = Integer.parseInt(args[2]);
        int s3Segments = Integer.parseInt(args[3]);
        Path jar = Path.of(args[4]).toAbsolutePath();
        Path work = Path.of(args[5]).toAbsolutePath();
        new ExpiryBenchmark(work, jar, rounds, backups, fsSegments, s3Segments).run();
    }

    private void run() throws Exception {
        long began = System.nanoTime();
        try {
            broker = KafkaBroker.start(work.resolve("kafka"), 0);
            TopicSetup.ensureTopics(broker.bootstrapServers(), 3);
            s3 = S3ProxyServer.start(work.resolve("s3"), false);
            s3.createBucket(BUCKET);
            BenchSetup.s3Credentials(work.resolve("secrets"), "s3-creds", s3);
            service = new ServiceProcess(jar, Map.of("kafka.bootstrap.servers", broker.bootstrapServers(),
                    "stowage.secrets-folder", work.resolve("secrets").toString(), "stowage.instance-id", "bench",
                    "quarkus.log.category.\"io.stowage.resync.retention\".level", "WARN"),
                    work.resolve("resync-service.log")).start();
            try (HeapSampler heap = new HeapSampler(service, 200)) {
                for (int round = 1; round <= rounds; round++) {
                    boolean floorFirst = round % 2 == 0;
                    round(round, "filesystem", fsSegments, floorFirst);
                    if (s3Segments >= 0) {
                        round(round, "S3Proxy", s3Segments, floorFirst);
                    }
                }
                report.add(String.format(Locale.ROOT, "resync-service heap (-Xmx256m): max used %d MiB, max live "
                        + "after GC %d MiB", heap.maxHeapBytes() >> 20, heap.maxLiveBytes() >> 20));
            }
            System.out.println();
            report.forEach(System.out::println);
        } finally {
            if (service != null) {
                service.close();
            }
            if (s3 != null) {
                s3.close();
            }
            if (broker != null) {
                broker.close();
            }
            Commands.deleteTree(work);
            System.out.printf("%nwhole benchmark: %.0f s%n", (System.nanoTime() - began) / 1e9);
        }
    }

    private void round(int round, String label, int segments, boolean floorFirst) throws Exception {
        boolean onS3 = label.equals("S3Proxy");
        String cluster = "expiry-" + (onS3 ? "s3" : "fs") + "-" + round;
        Path root = onS3 ? s3.dataDirectory().resolve(BUCKET) : Files.createDirectories(work.resolve("fs-storage"));
        Path prefix = root.resolve("stowage").resolve(cluster);
        Path floor = root.resolve("floor-" + round);
        int keep = backups / 10;
        long t0 = System.nanoTime();
        seed(cluster, prefix, backups, segments, segments);
        seed(cluster, floor, backups - keep, segments - segments / 10, segments);
        double seeding = (System.nanoTime() - t0) / 1e9;
        publishTopology(cluster, onS3, root, keep);
        ResyncCompleted listed = (ResyncCompleted) BenchSetup.requestResyncService(broker.bootstrapServers(),
                new ResyncRequested(cluster, "store", null, "bench"), Duration.ofMinutes(20)).outcome();
        if (listed.found() != backups) {
            throw new IllegalStateException("the resync found " + listed.found() + " backups, not " + backups);
        }
        Commands.sync();
        double ours;
        double bare;
        BenchSetup.Answer expired;
        if (floorFirst) {
            bare = floor(onS3, floor);
            expired = expire(cluster);
        } else {
            expired = expire(cluster);
            bare = floor(onS3, floor);
        }
        ours = expired.seconds();
        RetentionCompleted done = (RetentionCompleted) expired.outcome();
        long left = countFiles(prefix);
        long expectedLeft = 2L * keep + segments / 10;
        if (done.backupsRemoved() != backups - keep || done.segmentsRemoved() != segments - segments / 10
                || left != expectedLeft) {
            throw new IllegalStateException("expiry removed " + done.backupsRemoved() + " backups and "
                    + done.segmentsRemoved() + " segments and left " + left + " files; expected "
                    + (backups - keep) + ", " + (segments - segments / 10) + " and " + expectedLeft);
        }
        report.add(String.format(Locale.ROOT, "round %d, %s: expiring %,d of %,d backups and %,d of %,d segments "
                        + "(%s first): Stowage %.2f s (service's own %d ms), floor %s %.2f s, ratio %.2f (goal <= 1.5);"
                        + " seeding %.0f s", round, label, done.backupsRemoved(), backups, done.segmentsRemoved(),
                segments, floorFirst ? "floor" : "Stowage", ours, done.durationMs(),
                onS3 ? "aws s3 rm --recursive" : "find -delete", bare, ours / bare, seeding));
        System.out.println(report.get(report.size() - 1));
        Commands.deleteTree(prefix);
    }

    /**
     * Writes backups 0 to {@code backupCount - 1} (archive + manifest) and segments 1 to {@code walCount} straight into
     * a folder in the storage layout; backup i starts in segment {@code i * totalSegments / backups + 1} and completes
     * i minutes after a fixed time.
     */
    private void seed(String cluster, Path prefix, int backupCount, int walCount, int totalSegments)
            throws IOException {
        byte[] archive = new byte[512];
        OffsetDateTime base = OffsetDateTime.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < backupCount; i++) {
            String id = String.format("b%06d", i);
            Path folder = Files.createDirectories(prefix.resolve("backups").resolve(id));
            Files.write(folder.resolve("base.tar.zst"), archive);
            long firstSegment = (long) i * totalSegments / backups + 1;
            BackupManifest m = new BackupManifest(BackupManifest.FORMAT, id, cluster, List.of("store"),
                    WalSegments.formatLsn(firstSegment * SEGMENT + 40), WalSegments.formatLsn(firstSegment * SEGMENT + 312),
                    "00000001", base.plusMinutes(i), base.plusMinutes(i).plusSeconds(6), "7312345678901234567", "15.18",
                    4096, 2048, "zstd",
                    List.of(new BackupManifest.StoredObject("base.tar.zst", archive.length, "ab".repeat(32))),
                    "req-" + id, "corr-" + id);
            Files.write(folder.resolve("stowage.json"), m.toJson());
        }
        Path wal = Files.createDirectories(prefix.resolve("wal").resolve("00000001"));
        byte[] segment = new byte[16];
        for (long n = 1; n <= walCount; n++) {
            Files.write(wal.resolve(WalSegments.segmentName(1, n * SEGMENT, SEGMENT) + ".zst"), segment);
        }
    }

    private void publishTopology(String cluster, boolean onS3, Path root, int keep) {
        StorageSpec store = onS3
                ? new StorageSpec(true, StorageType.S3, new S3Spec(BUCKET, s3.region(), s3.endpoint().toString(),
                null, true, "s3-creds", null, null), null, new RetentionSpec(keep, null))
                : new StorageSpec(true, StorageType.FILESYSTEM, null, new FilesystemSpec(root.toString(), null),
                new RetentionSpec(keep, null));
        TopologyApplied t = new TopologyApplied(cluster, ++revision, "store", List.of(), new BackupConfigSpec(
                new PostgresSpec("127.0.0.1", 5432, "postgres", null, null, null, null), new PitrSpec(true),
                Map.of("store", store)), false, "bench");
        BenchSetup.publishTopology(broker.bootstrapServers(), t);
    }

    private BenchSetup.Answer expire(String cluster) {
        return BenchSetup.requestResyncService(broker.bootstrapServers(), new RetentionRequested(cluster, "bench"),
                Duration.ofMinutes(30));
    }

    /** The bare removal of the same keys; returns seconds. */
    private double floor(boolean onS3, Path floor) {
        long t0 = System.nanoTime();
        if (onS3) {
            Commands.runOrThrow(List.of("aws", "s3", "rm", "--recursive", "--quiet", "--endpoint-url",
                    s3.endpoint().toString(), "s3://" + BUCKET + "/" + floor.getFileName() + "/"), Map.of(
                    "AWS_ACCESS_KEY_ID", s3.accessKeyId(), "AWS_SECRET_ACCESS_KEY", s3.secretAccessKey(),
                    "AWS_DEFAULT_REGION", s3.region()), Duration.ofHours(2));
        } else {
            Commands.runOrThrow(List.of("find", floor.toString(), "-delete"), Map.of(), Duration.ofMinutes(30));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (countFiles(floor) != 0) {
            throw new IllegalStateException("the floor left files under " + floor);
        }
        return seconds;
    }

    private static long countFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
