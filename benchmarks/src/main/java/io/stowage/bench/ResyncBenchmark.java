package io.stowage.bench;



import io.stowage.events.data.ResyncCompleted;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.localstack.KafkaBroker;
import io.stowage.localstack.S3ProxyServer;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.TopicSetup;
import io.stowage.postgres.WalSegments;
import io.stowage.storage.BackupManifest;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Resyncs of big storages, in one run: a filesystem storage seeded with 10,000 backups and 1,000,000 WAL segment
 * objects, and S3Proxy with 10,000 backups and 100,000 segments (both written straight to disk, in the storage
 * layout; S3Proxy serves its bucket from files). resync-service runs packaged, its own process, -Xmx256m, heap
 * sampled. For each storage: a full resync into an empty catalog, then a resync that finds no change. Beside it, the
 * floor: listing the same objects with no catalog work (find on the folder; the AWS SDK's paged ListObjectsV2).
 */
public final class ResyncBenchmark {
    private static final String CLUSTER = "resyncbench";
    private static final String BUCKET = "stowage-resync-bench";
    private static final long SEGMENT = 16L << 20;

    private final Path work;
    private final Path jar;
    private final int backups;
    private final int fsSegments;
    private final int s3Segments;
    private final List<String> report = new ArrayList<>();
    private KafkaBroker broker;
    private S3ProxyServer s3;
    private ServiceProcess service;
    private Path fsRoot;

    private ResyncBenchmark(Path work, Path jar, int backups, int fsSegments, int s3Segments) {
        this.work = work;
        this.jar = jar;
        this.backups = backups;
        this.fsSegments = fsSegments;
        this.s3Segments = s3Segments;
    }

    public static void main(String[] args) throws Exception {
        int backups = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int fsSegments = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int s3Segments = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        Path jar = Path.of(args.length > 3 ? args[3] : "resync-service/target/quarkus-app/quarkus-run.jar")
                .toAbsolutePath();
        Path work = args.length > 4 ? Path.of(args[4]).toAbsolutePath() : Files.createTempDirectory("stowage-bench-resync");
        new ResyncBenchmark(work, jar, backups, fsSegments, s3Segments).run();
    }

    private void run() throws Exception {
        long began = System.nanoTime();
        try {
            broker = KafkaBroker.start(work.resolve("kafka"), 0);
            TopicSetup.ensureTopics(broker.bootstrapServers(), 3);
            s3 = S3ProxyServer.start(work.resolve("s3"), false);
            s3.createBucket(BUCKET);
            fsRoot = Files.createDirectories(work.resolve("fs-storage"));
            Path fsPrefix = fsRoot.resolve("stowage").resolve(CLUSTER);
            Path s3Prefix = s3.dataDirectory().resolve(BUCKET).resolve("stowage").resolve(CLUSTER);
            seed("filesystem", fsPrefix, backups, fsSegments);
            if (s3Segments >= 0) {
                seed("S3Proxy", s3Prefix, backups, s3Segments);
            }
            BenchSetup.s3Credentials(work.resolve("secrets"), "s3-creds", s3);
            publishTopology();
            service = new ServiceProcess(jar, Map.of("kafka.bootstrap.servers", broker.bootstrapServers(),
                    "stowage.secrets-folder", work.resolve("secrets").toString(), "stowage.instance-id", "bench"),
                    work.resolve("resync-service.log")).start();
            try (HeapSampler heap = new HeapSampler(service, 200)) {
                resync("filesystem", "fs", fsSegments, () -> floorFind(fsPrefix));
                if (s3Segments >= 0) {
                    resync("S3Proxy", "s3", s3Segments, this::floorS3List);
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

    /** Writes backups (archive + manifest) and WAL segment objects straight into the storage's folder. */
    private void seed(String label, Path prefix, int backupCount, int segments) throws Exception {
        long t0 = System.nanoTime();
        byte[] archive = new byte[512];
        for (int i = 0; i < backupCount; i++) {
            String id = String.format("b%06d", i);
            Path folder = Files.createDirectories(prefix.resolve("backups").resolve(id));
            Files.write(folder.resolve("base.tar.zst"), archive);
            BackupManifest m = new BackupManifest(BackupManifest.FORMAT, id, CLUSTER, List.of("fs"), "0/5000028",
                    "0/5000138", "00000001", OffsetDateTime.parse("2026-11-22T03:00:00Z"),
                    OffsetDateTime.parse("2026-11-22T03:00:06Z"), "7312345678901234567", "15.18", 4096, 2048, "zstd",
                    List.of(new BackupManifest.StoredObject("base.tar.zst", archive.length, "ab".repeat(32))),
                    "req-" + id, "corr-" + id);
            Files.write(folder.resolve("stowage.json"), m.toJson());
        }
        Path wal = Files.createDirectories(prefix.resolve("wal").resolve("00000001"));
        byte[] segment = new byte[16];
        for (long n = 0; n < segments; n++) {
            Files.write(wal.resolve(WalSegments.segmentName(1, (n + 1) * SEGMENT, SEGMENT) + ".zst"), segment);
        }
        report.add(String.format(Locale.ROOT, "%s seeded: %,d backups, %,d WAL segments in %.0f s", label,
                backupCount, segments, (System.nanoTime() - t0) / 1e9));
        System.out.println(report.get(report.size() - 1));
    }


    private void publishTopology() {
        Map<String, StorageSpec> storages = new TreeMap<>();
        storages.put("fs", new StorageSpec(true, StorageType.FILESYSTEM, null, new FilesystemSpec(fsRoot.toString(), null)));
        storages.put("s3", new StorageSpec(false, StorageType.S3, new S3Spec(BUCKET, s3.region(),
                s3.endpoint().toString(), null, true, "s3-creds", null, null), null));
        TopologyApplied t = new TopologyApplied(CLUSTER, 1, "fs", List.of("s3"), new BackupConfigSpec(
                new PostgresSpec("127.0.0.1", 5432, "postgres", null, null, null, null), new PitrSpec(false), storages),
                false, "bench");
        BenchSetup.publishTopology(broker.bootstrapServers(), t);
    }

    private void resync(String label, String storage, int segments, Floor floor) throws Exception {
        double floorSeconds = floor.seconds();
        BenchSetup.Answer first = request(storage);
        ResyncCompleted full = (ResyncCompleted) first.outcome();
        double fullSeconds = first.seconds();
        BenchSetup.Answer again = request(storage);
        ResyncCompleted same = (ResyncCompleted) again.outcome();
        double sameSeconds = again.seconds();
        report.add(String.format(Locale.ROOT, "%s (%,d backups, %,d segments): full resync %.2f s (found %,d, added "
                        + "%,d; service's own %d ms); no-change resync %.2f s (added %d, removed %d; service's own %d ms);"
                        + " floor, listing only: %.2f s", label, backups, segments, fullSeconds, full.found(),
                full.added(), full.durationMs(), sameSeconds, same.added(), same.removed(), same.durationMs(),
                floorSeconds));
        System.out.println(report.get(report.size() - 1));
    }

    private BenchSetup.Answer request(String storage) {
        return BenchSetup.requestResyncService(broker.bootstrapServers(),
                new ResyncRequested(CLUSTER, storage, null, "bench"), Duration.ofMinutes(10));
    }

    @FunctionalInterface
    private interface Floor {
        double seconds() throws Exception;
    }

    private double floorFind(Path prefix) throws Exception {
        long t0 = System.nanoTime();
        Commands.runOrThrow(List.of("sh", "-c", "find '" + prefix + "' -type f | wc -l"), Map.of(),
                Duration.ofMinutes(5));
        return (System.nanoTime() - t0) / 1e9;
    }

    private double floorS3List() {
        long t0 = System.nanoTime();
        try (S3Client client = S3Client.builder().endpointOverride(s3.endpoint()).region(Region.of(s3.region()))
                .forcePathStyle(true).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s3.accessKeyId(), s3.secretAccessKey()))).build()) {
            long n = client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("stowage/" + CLUSTER + "/"))
                    .contents().stream().count();
            if (n == 0) {
                throw new IllegalStateException("the S3 listing found nothing");
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
