package io.stowage.bench;

import io.stowage.bus.KafkaEventPublisher;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.BusReader;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreTarget;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.localstack.KafkaBroker;
import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.S3ProxyServer;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.TopicSetup;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Restores of one base backup of the generated database (the base-backup benchmark's), each timed wall-clock, in
 * interleaved rounds on one machine: the floor ({@code zstd -dc base.tar.zst | tar -x} of the stored object into a
 * fresh folder); Stowage's restore-service (packaged, its own process, -Xmx256m) to a new instance, from a filesystem
 * storage and from S3Proxy over HTTPS, timed from publishing restore.requested.v1 to reading restore.completed.v1
 * (read_committed), with its steps' times from restore.step.v1; and, when installed, pgBackRest's restore
 * (process-max 2) from the same S3Proxy, then the restored server started until it is promoted. Ratios are taken
 * within a round, seconds apart; restore-service's heap is sampled and CPU seconds per component read from /proc.
 */
public final class RestoreBenchmark {
    private static final String CLUSTER = "bench";
    private static final String BUCKET = "stowage-bench";
    private static final String PGBACKREST_BUCKET = "pgbackrest-bench";
    private static final String SOURCE = "/stowage/bench-restore";
    private static final String FS = "fs";
    private static final String S3 = "s3";
    private static final long HEAP_LIMIT = 256L << 20;
    private static final long HEAP_SAMPLE_MILLIS = 250;
    private static final long PROMOTION_POLL_MILLIS = 50;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(30);
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    // Rows and the parts of an attempt they show.
    private static final String FLOOR = "floor";
    private static final String PGBACKREST = "pgbackrest";
    private static final String TOTAL = "total";
    private static final String FETCH = "fetch";
    private static final String VERIFY = "verify";
    private static final String FETCH_VERIFY = "fetch+verify";
    private static final String RESTORE = "restore";
    private static final String PROMOTED = "start->promoted";
    private static final String BEFORE_FETCH = "published->fetch";
    private static final String AFTER_PROMOTION = "promoted->read";

    // CPU groups (see CpuMeter).
    private static final String CPU_SOURCE = "source postgres";
    private static final String CPU_RESTORED = "restored postgres";
    private static final String CPU_SERVICE = "restore-service";
    private static final String CPU_SERVICE_TOOLS = "its tools";
    private static final String CPU_RESYNC = "resync-service";
    private static final String CPU_TOOLS = "bench tools";
    private static final String CPU_S3 = "S3Proxy";
    private static final String CPU_BROKER = "Kafka";
    private static final String CPU_BENCH = "bench";
    private static final List<String> CPU_GROUPS = List.of(CPU_SOURCE, CPU_RESTORED, CPU_SERVICE, CPU_SERVICE_TOOLS,
            CPU_RESYNC, CPU_TOOLS, CPU_S3, CPU_BROKER, CPU_BENCH);

    /** One timed attempt of a row: its parts in seconds, what it restored, restore-service's heap, CPU. */
    record Attempt(Map<String, Double> parts, long restoredBytes, long heapMax, long liveMax, int heapSamples,
                   Map<String, Double> cpu, double busy, double iowait, double steal) {
        double seconds() {
            return parts.get(TOTAL);
        }

        double part(String name) {
            return parts.getOrDefault(name, Double.NaN);
        }
    }

    /** A line of the table: a part of one kind of attempt, compared with another line within each round. */
    record Line(String label, String key, String part, String versus, String versusPart) {
    }

    private final Path work;
    private final Path services;
    private final int rounds;
    private final List<Map<String, Attempt>> measured = new ArrayList<>();
    private final Map<String, Attempt> warmUps = new LinkedHashMap<>();
    private final List<Path> logs = new ArrayList<>();
    private final Map<String, ServiceProcess> running = new LinkedHashMap<>();
    private final Map<String, Long> pids = new HashMap<>();
    private KafkaBroker broker;
    private S3ProxyServer s3;
    private PostgresCluster pg;
    private KafkaEventPublisher publisher;
    private Path fsRoot;
    private Path secrets;
    private Path restores;
    private long postmasterPid;
    private String backupId;
    private long storedBytes;
    private long tarBytes;
    private long pgbackrestBytes = -1;

    private RestoreBenchmark(Path work, Path services, int rounds) {
        this.work = work;
        this.services = services;
        this.rounds = rounds;
    }

    /** Arguments: scale in GB (1.3), the folder holding the service modules (.), the work folder. */
    public static void main(String[] args) throws Exception {
        double gb = args.length > 0 ? Double.parseDouble(args[0]) : GeneratedDatabase.REFERENCE_GB;
        Path services = Path.of(args.length > 1 ? args[1] : ".").toAbsolutePath().normalize();
        Path work = args.length > 2 ? Path.of(args[2]).toAbsolutePath()
                : Files.createTempDirectory("stowage-bench-restore");
        int rounds = Integer.getInteger("stowage.bench.attempts", 3);
        for (String module : List.of("backup-service", "resync-service", "restore-service")) {
            if (!Files.exists(jar(services, module))) {
                throw new IllegalStateException(jar(services, module) + " is missing: build " + module + " first");
            }
        }
        new RestoreBenchmark(work, services, rounds).run(gb);
    }

    private static Path jar(Path services, String module) {
        return services.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private void run(double gb) throws Exception {
        long began = System.nanoTime();
        printMachine();
        boolean ok = false;
        try {
            start();
            GeneratedDatabase.generate(pg, gb);
            prepareStowage();
            startService("resync-service", Map.of());
            startService("backup-service", Map.of("stowage.backup.zstd-level", "1",
                    "stowage.wal.spool-folder", work.resolve("spool").toString()));
            startService("restore-service", Map.of());
            stowageBackup();
            // Only its backup is needed: a restore to a new instance does not pause archiving.
            running.remove("backup-service").stop();
            PgBackRest pgbackrest = PgBackRest.installed() ? pgBackRestBackup() : null;
            measure(pgbackrest);
            report(pgbackrest != null);
            ok = true;
        } finally {
            BenchSetup.finish(ok, logs, this::stop, work, began);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Setting up

    private void start() throws IOException {
        System.out.printf("work dir %s%n", work);
        broker = KafkaBroker.start(work.resolve("kafka"), 0);
        TopicSetup.ensureTopics(broker.bootstrapServers(), 3);
        s3 = S3ProxyServer.start(work.resolve("s3-https"), true);
        s3.createBucket(BUCKET);
        // Archiving is on from the start (archive_mode needs a restart) but goes nowhere until pgBackRest's own
        // archive_command is set, after the generated data and Stowage's backup: that WAL is not wanted.
        pg = PostgresCluster.start(work.resolve("pg"), Map.of("max_wal_size", "2GB", "archive_mode", "on",
                "archive_command", "'/bin/true'"));
        postmasterPid = pg.postmasterPid();
        publisher = new KafkaEventPublisher(KafkaConnection.to(broker.bootstrapServers()), "bench-restore");
        restores = Files.createDirectories(work.resolve("restores"));
        // The server's OS user must reach the restored copies (restore-service hands each copy over to it).
        Files.setPosixFilePermissions(restores, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The topology the services follow, published as config-service would (no config-service runs here). */
    private void prepareStowage() throws IOException {
        fsRoot = Files.createDirectories(work.resolve("fs-storage"));
        secrets = Files.createDirectories(work.resolve("secrets"));
        BenchSetup.s3Credentials(secrets, "s3-https", s3);
        BenchSetup.caBundle(secrets, "s3-ca", s3);
        Map<String, StorageSpec> storages = new TreeMap<>();
        storages.put(FS, new StorageSpec(true, StorageType.FILESYSTEM, null,
                new FilesystemSpec(fsRoot.toString(), null)));
        storages.put(S3, new StorageSpec(false, StorageType.S3, new S3Spec(BUCKET, s3.region(),
                s3.endpoint().toString(), null, true, "s3-https", "s3-ca", null), null));
        TopologyApplied topology = new TopologyApplied(CLUSTER, 1, FS, List.of(S3), new BackupConfigSpec(
                new PostgresSpec(pg.host(), pg.port(), pg.user(), null, pg.dataDirectory().toString(),
                        pg.binDirectory().toString(), pg.osUser()),
                new PitrSpec(false), storages), false, "bench");
        BenchSetup.publishTopology(broker.bootstrapServers(), topology);
    }

    private void startService(String module, Map<String, String> settings) throws IOException {
        String instance = "bench-" + module;
        Path log = work.resolve(module + ".log");
        logs.add(log);
        Map<String, String> props = new LinkedHashMap<>();
        props.put("kafka.bootstrap.servers", broker.bootstrapServers());
        props.put("stowage.secrets-folder", secrets.toString());
        props.put("stowage.instance-id", instance);
        props.putAll(settings);
        ServiceProcess service = new ServiceProcess(jar(services, module), props, log).start();
        running.put(module, service);
        pids.put(module, service.pid());
    }

    /** One base backup to both storages (one read of the database), once resync-service has catalogued it. */
    private void stowageBackup() throws InterruptedException {
        backupId = "restore-bench-" + UUID.randomUUID().toString().substring(0, 8);
        Envelope<BackupRequested> request = Envelope.root(SOURCE, new BackupRequested(CLUSTER, List.of(FS, S3),
                backupId));
        System.out.printf("%nStowage: base backup %s to %s and %s (zstd level 1)...%n", backupId, FS, S3);
        long start = System.nanoTime();
        BackupCompleted done = null;
        try (BusReader reader = new BusReader(KafkaConnection.to(broker.bootstrapServers()), List.of(Topics.BACKUP), false)) {
            publisher.publishAndWait(request);
            long deadline = start + RUN_TIMEOUT.toNanos();
            while (done == null) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("backup " + backupId + " did not end within " + RUN_TIMEOUT);
                }
                for (BusReader.Read r : reader.poll(Duration.ofMillis(100))) {
                    if (!r.valid() || !r.event().correlationId().equals(request.correlationId())) {
                        continue;
                    }
                    if (r.event().data() instanceof BackupCompleted c) {
                        done = c;
                    } else if (r.event().data() instanceof BackupFailed f) {
                        throw new IllegalStateException("backup " + backupId + " failed: " + f.reason());
                    }
                }
            }
        }
        storedBytes = done.storedBytes();
        tarBytes = done.sizeBytes();
        long onFs = Commands.treeBytes(backupFolder(fsRoot).resolve("base.tar.zst"));
        long onS3 = Commands.treeBytes(backupFolder(s3.dataDirectory().resolve(BUCKET)).resolve("base.tar.zst"));
        if (onFs != storedBytes || onS3 != storedBytes) {
            throw new IllegalStateException("base.tar.zst is " + onFs + " bytes on " + FS + " and " + onS3 + " on "
                    + S3 + ", the completed event says " + storedBytes);
        }
        System.out.printf("  %.1f s: %s of tar -> %s stored on each storage (ratio %.2f)%n",
                (System.nanoTime() - start) / 1e9, GeneratedDatabase.mb(tarBytes), GeneratedDatabase.mb(storedBytes),
                tarBytes / (double) storedBytes);
        awaitCatalog();
    }

    /** restore-service restores what the catalog knows: wait until resync-service recorded the backup on both. */
    private void awaitCatalog() {
        Set<String> missing = new HashSet<>(List.of(FS, S3));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try (BusReader reader = new BusReader(KafkaConnection.to(broker.bootstrapServers()), List.of(Topics.CATALOG), true)) {
            while (!missing.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the catalog does not list backup " + backupId + " on " + missing);
                }
                for (BusReader.Read r : reader.poll(Duration.ofMillis(200))) {
                    if (r.valid() && r.event().data() instanceof CatalogBackup b && b.cluster().equals(CLUSTER)
                            && b.backupId().equals(backupId) && b.complete()) {
                        missing.remove(b.storage());
                    }
                }
            }
        }
    }

    private Path backupFolder(Path storageRoot) {
        return storageRoot.resolve("stowage").resolve(CLUSTER).resolve("backups").resolve(backupId);
    }

    /** pgBackRest's full backup to the same S3Proxy, its WAL archived by pgBackRest from here on. */
    private PgBackRest pgBackRestBackup() throws IOException {
        PgBackRest pgbackrest = new PgBackRest(Files.createDirectories(work.resolve("pgbackrest")), pg, s3,
                PGBACKREST_BUCKET, true);
        pgbackrest.stanzaCreate();
        pg.psql("alter system set archive_command = " + pgbackrest.archiveCommand() + ";\nselect pg_reload_conf();");
        System.out.printf("%npgBackRest: full backup (zst:1, process-max %d) to S3Proxy HTTPS...%n",
                PgBackRest.PROCESS_MAX);
        Commands.Result r = pgbackrest.fullBackup();
        pgbackrestBytes = pgbackrest.repositoryBytes();
        System.out.printf("  %.1f s: repository %s (backup and archived WAL)%n", r.seconds(),
                GeneratedDatabase.mb(pgbackrestBytes));
        return pgbackrest;
    }

    private void stop() {
        for (Map.Entry<String, ServiceProcess> s : running.entrySet()) {
            try {
                s.getValue().stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s.getValue().kill();
            }
        }
        stopRestoredServers();
        if (publisher != null) {
            publisher.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** A restored copy runs detached (pg_ctl daemonizes it): stop any left by a failed row. */
    private void stopRestoredServers() {
        if (restores == null || !Files.isDirectory(restores)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(restores)) {
            for (Path dir : dirs.filter(d -> Files.exists(d.resolve("postmaster.pid"))).toList()) {
                try {
                    PostgresCluster.stopServer(dir);
                } catch (RuntimeException e) {
                    System.out.println("cannot stop the server on " + dir + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            System.out.println("cannot list " + restores + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Measuring

    private void measure(PgBackRest pgbackrest) throws Exception {
        List<String> order = new ArrayList<>(List.of(FLOOR, FS, S3));
        if (pgbackrest != null) {
            order.add(PGBACKREST);
        }
        // The first restore after restore-service starts pays for loading and compiling its code (the AWS SDK, TLS,
        // tar): once per process, not per restore. One from each storage, reported apart, not counted.
        for (String storage : List.of(FS, S3)) {
            Attempt a = stowage(storage, 0);
            warmUps.put(storage, a);
            printAttempt("warm-up " + storage, a);
        }
        System.out.printf("%nmeasuring: %d rounds of %s, each restore into a fresh folder, deleted after its row%n",
                rounds, String.join(", ", order));
        for (int round = 1; round <= rounds; round++) {
            System.out.printf("round %d%n", round);
            Map<String, Attempt> these = new LinkedHashMap<>();
            for (String key : order) {
                Attempt a = switch (key) {
                    case FLOOR -> floor(round);
                    case FS, S3 -> stowage(key, round);
                    case PGBACKREST -> pgBackRest(pgbackrest, round);
                    default -> throw new IllegalArgumentException(key);
                };
                these.put(key, a);
                printAttempt(key, a);
            }
            measured.add(these);
        }
    }

    /** Lets the previous row's writes reach the disk and the machine settle before the clock starts. */
    private static void settle() throws InterruptedException {
        Commands.sync();
        Thread.sleep(1000);
    }

    private CpuMeter meter(Path restored) {
        long self = ProcessHandle.current().pid();
        long service = pids.get("restore-service");
        return new CpuMeter().tree(CPU_SOURCE, postmasterPid)
                .postmaster(CPU_RESTORED, restored)
                .self(CPU_SERVICE, service)
                .reaped(CPU_SERVICE_TOOLS, service)
                .self(CPU_RESYNC, pids.get("resync-service"))
                .reaped(CPU_TOOLS, self)
                .self(CPU_S3, s3.pid())
                .self(CPU_BROKER, broker.pid())
                .self(CPU_BENCH, self);
    }

    /** The floor: the stored object from the filesystem storage through zstd and tar, nothing checked or synced. */
    private Attempt floor(int round) throws InterruptedException, IOException {
        Path target = Files.createDirectories(restores.resolve("floor-" + round));
        Path archive = backupFolder(fsRoot).resolve("base.tar.zst");
        List<String> command = List.of("bash", "-c", "set -o pipefail; zstd -q -dc -- \"$0\" | tar -x -C \"$1\"",
                archive.toString(), target.toString());
        try {
            settle();
            CpuMeter cpu = meter(target);
            CpuMeter.Snapshot before = cpu.snapshot();
            Commands.Result r = Commands.runOrThrow(command, Map.of(), RUN_TIMEOUT);
            CpuMeter.Snapshot after = cpu.snapshot();
            return attempt(Map.of(TOTAL, r.seconds()), Commands.treeBytes(target), null, before, after);
        } finally {
            Commands.deleteTree(target);
        }
    }

    /** Stowage: restore.requested.v1 to a new instance, timed until restore.completed.v1 is read (read_committed). */
    private Attempt stowage(String storage, int round) throws InterruptedException, IOException {
        String restoreId = "bench-" + storage + "-" + round + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path target = restores.resolve(storage + "-" + round);
        RestoreRequested data = new RestoreRequested(CLUSTER, backupId, storage, null, null, null, restoreId,
                new RestoreTarget(target.toString(), freePort()));
        Envelope<RestoreRequested> request = null;
        Map<String, OffsetDateTime> steps = new HashMap<>();
        RestoreCompleted done = null;
        long start;
        long end = 0;
        HeapSampler heap;
        CpuMeter.Snapshot before;
        CpuMeter.Snapshot after;
        long restoredBytes;
        try {
            try (BusReader reader = new BusReader(KafkaConnection.to(broker.bootstrapServers()), List.of(Topics.RESTORE), false)) {
                settle();
                CpuMeter cpu = meter(target);
                before = cpu.snapshot();
                heap = new HeapSampler(running.get("restore-service"), HEAP_SAMPLE_MILLIS);
                try {
                    // Made just before it is sent: its time is when the clock starts.
                    request = Envelope.root(SOURCE, data);
                    start = System.nanoTime();
                    publisher.publishAndWait(request);
                    long deadline = start + RUN_TIMEOUT.toNanos();
                    while (done == null) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("restore " + restoreId + " did not end within "
                                    + RUN_TIMEOUT);
                        }
                        for (BusReader.Read r : reader.poll(Duration.ofMillis(50))) {
                            if (!r.valid() || !r.event().correlationId().equals(request.correlationId())) {
                                continue;
                            }
                            Envelope<StowageEvent> e = r.event();
                            if (e.data() instanceof RestoreStep s) {
                                steps.put(s.step() + " " + s.status(), e.time());
                            } else if (e.data() instanceof RestoreCompleted c && done == null) {
                                done = c;
                                end = System.nanoTime();
                            } else if (e.data() instanceof RestoreFailed f) {
                                throw new IllegalStateException("restore " + restoreId + " from " + storage
                                        + " failed at " + f.step() + ": " + f.reason());
                            }
                        }
                    }
                } finally {
                    heap.close();
                }
                // Before the copy stops: its server's CPU is read from its postmaster.
                after = cpu.snapshot();
            }
            restoredBytes = Commands.treeBytes(target);
        } finally {
            PostgresCluster.stopServer(target);
            Commands.deleteTree(target);
            // The restore's state file, beside the copy.
            try (Stream<Path> beside = Files.list(restores)) {
                for (Path p : beside.filter(p -> p.getFileName().toString().startsWith(target.getFileName()
                        + ".restore-")).toList()) {
                    Commands.deleteTree(p);
                }
            }
        }
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put(TOTAL, (end - start) / 1e9);
        parts.put(FETCH, between(steps, "fetch-base-backup STARTED", "fetch-base-backup COMPLETED"));
        parts.put(VERIFY, between(steps, "verify-backup STARTED", "verify-backup COMPLETED"));
        parts.put(FETCH_VERIFY, between(steps, "fetch-base-backup STARTED", "verify-backup COMPLETED"));
        parts.put(PROMOTED, between(steps, "start-restored STARTED", "wait-promotion COMPLETED"));
        // The request's own time and the steps' are the same machine's clock: what is neither copying nor starting.
        steps.put("published", request.time());
        parts.put(BEFORE_FETCH, between(steps, "published", "fetch-base-backup STARTED"));
        parts.put(AFTER_PROMOTION, parts.get(TOTAL) - between(steps, "published", "wait-promotion COMPLETED"));
        return attempt(parts, restoredBytes, heap, before, after);
    }

    private static double between(Map<String, OffsetDateTime> steps, String from, String to) {
        OffsetDateTime a = steps.get(from);
        OffsetDateTime b = steps.get(to);
        return a == null || b == null ? Double.NaN : Duration.between(a, b).toNanos() / 1e9;
    }

    /**
     * pgBackRest: restore (process-max 2) from S3Proxy HTTPS into a fresh folder, then the copy started as
     * restore-service starts one (pg_ctl start -w, the source's options, a new port) and polled until promoted;
     * recovery reads the WAL from the end of the backup through pgBackRest's archive-get.
     */
    private Attempt pgBackRest(PgBackRest pgbackrest, int round) throws InterruptedException, IOException {
        Path target = Files.createDirectories(restores.resolve("pgbackrest-" + round));
        Commands.runOrThrow(List.of("chown", pg.osUser() + ":", target.toString()), Map.of(), Duration.ofSeconds(30));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        int port = freePort();
        try {
            settle();
            CpuMeter cpu = meter(target);
            CpuMeter.Snapshot before = cpu.snapshot();
            Commands.Result restored = pgbackrest.restore(target);
            long started = System.nanoTime();
            Commands.runOrThrow(asServerUser(List.of(pg.binDirectory().resolve("pg_ctl").toString(), "-D",
                    target.toString(), "-l", target.resolve("bench-postgres.log").toString(), "-w", "-t",
                    String.valueOf(RUN_TIMEOUT.toSeconds()), "-o", serverOptions(port), "start")), Map.of(),
                    RUN_TIMEOUT);
            awaitPromotion(port);
            long promoted = System.nanoTime();
            CpuMeter.Snapshot after = cpu.snapshot();
            long bytes = Commands.treeBytes(target);
            Map<String, Double> parts = new LinkedHashMap<>();
            parts.put(TOTAL, restored.seconds() + (promoted - started) / 1e9);
            parts.put(RESTORE, restored.seconds());
            parts.put(PROMOTED, (promoted - started) / 1e9);
            return attempt(parts, bytes, null, before, after);
        } finally {
            PostgresCluster.stopServer(target);
            Commands.deleteTree(target);
        }
    }

    /** The options the source server runs with (its postmaster.opts, as restore-service reuses), on another port. */
    private String serverOptions(int port) throws IOException {
        // postmaster.opts: the program, unquoted, then every argument in double quotes.
        String opts = Files.readString(pg.dataDirectory().resolve("postmaster.opts"));
        List<String> words = new ArrayList<>();
        Matcher m = QUOTED.matcher(opts);
        while (m.find()) {
            words.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        List<String> options = new ArrayList<>(List.of("-p", String.valueOf(port)));
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i).equals("-D") || words.get(i).equals("-p")) {
                i++;
            } else {
                options.add(words.get(i));
            }
        }
        // pg_ctl hands -o to postgres through /bin/sh.
        return options.stream().map(o -> "'" + o.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }

    private List<String> asServerUser(List<String> command) {
        if (pg.osUser().equals(System.getProperty("user.name"))) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of("runuser", "-u", pg.osUser(), "--"));
        out.addAll(command);
        return out;
    }

    private static void awaitPromotion(int port) throws InterruptedException {
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "postgres", ""); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("select pg_is_in_recovery()")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return;
                    }
                }
                Thread.sleep(PROMOTION_POLL_MILLIS);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot ask the server restored by pgBackRest on port " + port
                    + " whether it is promoted: " + e.getMessage(), e);
        }
        throw new IllegalStateException("the server restored by pgBackRest was not promoted within " + RUN_TIMEOUT);
    }

    private static Attempt attempt(Map<String, Double> parts, long bytes, HeapSampler heap, CpuMeter.Snapshot before,
                                   CpuMeter.Snapshot after) {
        double[] machine = after.machineSince(before);
        return new Attempt(parts, bytes, heap == null ? -1 : heap.maxHeapBytes(),
                heap == null ? -1 : heap.maxLiveBytes(), heap == null ? 0 : heap.samples(), after.secondsSince(before),
                machine[0], machine[1], machine[2]);
    }

    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reporting

    private static void printAttempt(String key, Attempt a) {
        String parts = a.parts().entrySet().stream().filter(e -> !e.getKey().equals(TOTAL))
                .map(e -> e.getKey() + " " + fmt(e.getValue(), 2)).collect(Collectors.joining(", "));
        System.out.printf(Locale.ROOT, "  %-14s %7.2f s%s  restored %s%s%n", key, a.seconds(),
                parts.isEmpty() ? "" : " (" + parts + ")", GeneratedDatabase.mb(a.restoredBytes()),
                a.heapMax() >= 0 ? "  restore-service heap max " + mib(a.heapMax()) + " MiB (" + a.heapSamples()
                        + " samples)" : "");
    }

    private void report(boolean withPgBackRest) {
        List<Line> lines = new ArrayList<>();
        lines.add(new Line("a zstd -dc | tar -x (floor)", FLOOR, TOTAL, null, null));
        for (String storage : List.of(FS, S3)) {
            String name = storage.equals(FS) ? "b Stowage <- filesystem" : "c Stowage <- S3 HTTPS";
            lines.add(new Line(name + ", end to end", storage, TOTAL, PGBACKREST, TOTAL));
            lines.add(new Line("    published -> fetch started", storage, BEFORE_FETCH, null, null));
            lines.add(new Line("    fetch-base-backup", storage, FETCH, FLOOR, TOTAL));
            lines.add(new Line("    verify-backup", storage, VERIFY, null, null));
            lines.add(new Line("    fetch + verify", storage, FETCH_VERIFY, PGBACKREST, RESTORE));
            lines.add(new Line("    start-restored -> promoted", storage, PROMOTED, PGBACKREST, PROMOTED));
            lines.add(new Line("    promoted -> completed event read", storage, AFTER_PROMOTION, null, null));
        }
        if (withPgBackRest) {
            lines.add(new Line("d pgBackRest <- S3 HTTPS, end to end", PGBACKREST, TOTAL, FLOOR, TOTAL));
            lines.add(new Line("    restore (process-max 2)", PGBACKREST, RESTORE, FLOOR, TOTAL));
            lines.add(new Line("    pg_ctl start -> promoted", PGBACKREST, PROMOTED, null, null));
        }

        System.out.printf("%n%nRESULTS (wall-clock seconds, per round). Stowage: restore.requested.v1 published ->"
                + " restore.completed.v1 read (read_committed), to a new instance, no PITR; its parts from the"
                + " restore.step.v1 events' times. ratio = the row over the row it is compared with, within each"
                + " round (seconds apart), median over rounds (each round).%n");
        System.out.printf("backup %s: %s of tar, zstd level 1 -> %s stored on each storage; pgBackRest's repository"
                        + " %s%n", backupId, GeneratedDatabase.mb(tarBytes), GeneratedDatabase.mb(storedBytes),
                withPgBackRest ? GeneratedDatabase.mb(pgbackrestBytes) : "-");
        String rounds = measured.isEmpty() ? "" : java.util.stream.IntStream.rangeClosed(1, measured.size())
                .mapToObj(i -> String.format(Locale.ROOT, "%7s", "#" + i)).collect(Collectors.joining(" "));
        String header = String.format(Locale.ROOT, "%-40s %s %7s  %-18s %s", "row", rounds, "median", "compared with",
                "ratio: median (each round)");
        System.out.println(header);
        System.out.println("-".repeat(header.length() + 16));
        for (Line line : lines) {
            List<Double> values = measured.stream().map(m -> m.get(line.key()).part(line.part())).toList();
            String cells = values.stream().map(v -> String.format(Locale.ROOT, "%7.2f", v))
                    .collect(Collectors.joining(" "));
            String versus = "-";
            String ratio = "";
            if (line.versus() != null && measured.get(0).containsKey(line.versus())) {
                List<Double> ratios = measured.stream().map(m -> m.get(line.key()).part(line.part())
                        / m.get(line.versus()).part(line.versusPart())).filter(d -> !Double.isNaN(d)).toList();
                versus = label(line.versus(), line.versusPart());
                ratio = describe(ratios);
            }
            System.out.printf(Locale.ROOT, "%-40s %s %7.2f  %-18s %s%n", line.label(), cells, median(values), versus,
                    ratio);
        }
        if (withPgBackRest) {
            List<Double> goal = measured.stream().map(m -> m.get(S3).seconds() / m.get(PGBACKREST).seconds())
                    .toList();
            System.out.printf(Locale.ROOT, "goal: Stowage from S3 HTTPS, end to end <= 0.7 x pgBackRest's, end to"
                    + " end: %s -> %s%n", describe(goal), median(goal) <= 0.7 ? "met" : "NOT met");
        } else {
            System.out.println("pgBackRest: skipped, not installed (apt-get install pgbackrest): no goal ratio");
        }
        warmUps.forEach((storage, a) -> System.out.printf(Locale.ROOT, "first restore after restore-service started"
                + " (cold JVM, not counted above), from %s: %.2f s (fetch + verify %.2f s)%n", storage, a.seconds(),
                a.part(FETCH_VERIFY)));
        long heapMax = Stream.concat(measured.stream().flatMap(m -> m.values().stream()), warmUps.values().stream())
                .mapToLong(Attempt::heapMax).max().orElse(-1);
        System.out.printf("restore-service heap: %s MiB max over every Stowage restore, warm-ups included (-Xmx256m:"
                        + " %s), sampled every %d ms from /q/metrics, garbage not yet collected included%n",
                mib(heapMax), heapMax > 0 && heapMax < HEAP_LIMIT ? "under the limit" : "AT OR OVER THE LIMIT",
                HEAP_SAMPLE_MILLIS);
        System.out.println("What each row includes. floor: the stored object read from the filesystem storage,"
                + " decompressed and unpacked; no checksum, no fsync, no server. Stowage end to end: planning against"
                + " the catalog, fetch-base-backup (download with ranged reads, SHA-256 of the stored object, zstd,"
                + " tar, compared with the manifest), verify-backup (pg_verifybackup), fetch-wal (none: the backup"
                + " carries its WAL), write-recovery-settings, start-restored (pg_ctl start) and wait-promotion"
                + " (polled every 50 ms on one connection), and the events' trips through Kafka. pgBackRest end to end: pgbackrest"
                + " restore (files fetched and decompressed by 2 processes, each file's checksum checked, synced),"
                + " then pg_ctl start -w with the source's options on a new port and pg_is_in_recovery() polled every"
                + " " + PROMOTION_POLL_MILLIS + " ms; recovery fetches the backup's WAL with archive-get (one process"
                + " per segment) from the same S3Proxy; no Kafka. PostgreSQL's own startup work (fsync of the data"
                + " directory, replay to consistency) is in both.");

        System.out.printf("%nCPU seconds per attempt (%d cores). restored postgres = the restored copy's server and"
                + " its children (startup, archive-get); its tools = what restore-service ran (pg_verifybackup,"
                + " pg_ctl); bench tools = what this program ran (zstd and tar, pgbackrest restore and its processes,"
                + " pg_ctl); machine = all CPU this VM used; others = machine minus the listed components%n", cores());
        StringBuilder cpuHeader = new StringBuilder(String.format(Locale.ROOT, "%-13s %6s", "row #round", "wall"));
        for (String g : CPU_GROUPS) {
            cpuHeader.append(String.format(Locale.ROOT, " %" + Math.max(7, g.length()) + "s", g));
        }
        cpuHeader.append(String.format(Locale.ROOT, " %8s %7s %7s %6s", "machine", "others", "iowait", "steal"));
        System.out.println(cpuHeader);
        System.out.println("-".repeat(cpuHeader.length()));
        List<String> disturbed = new ArrayList<>();
        for (int i = 0; i < measured.size(); i++) {
            for (Map.Entry<String, Attempt> e : measured.get(i).entrySet()) {
                Attempt a = e.getValue();
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-13s %6.2f",
                        e.getKey() + " #" + (i + 1), a.seconds()));
                double ours = 0;
                for (String g : CPU_GROUPS) {
                    double v = a.cpu().getOrDefault(g, 0.0);
                    ours += v;
                    row.append(String.format(Locale.ROOT, " %" + Math.max(7, g.length()) + ".2f", v));
                }
                double others = Math.max(0, a.busy() - ours);
                row.append(String.format(Locale.ROOT, " %8.2f %7.2f %7.2f %6.2f", a.busy(), others, a.iowait(),
                        a.steal()));
                System.out.println(row);
                if (others + a.steal() > 0.1 * cores() * a.seconds()) {
                    disturbed.add(e.getKey() + " #" + (i + 1));
                }
            }
        }
        if (!disturbed.isEmpty()) {
            System.out.println("WARNING: other processes or VMs (steal) took more than 10% of the machine's CPU"
                    + " during: " + String.join(", ", disturbed) + ". Those figures are slower than this machine can"
                    + " do.");
        }
    }

    private static String label(String key, String part) {
        return switch (key) {
            case FLOOR -> "floor";
            case PGBACKREST -> part.equals(TOTAL) ? "pgBackRest e2e" : part.equals(RESTORE) ? "pgBackRest restore"
                    : "pgBackRest start";
            default -> key + " " + part;
        };
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().filter(d -> !Double.isNaN(d)).sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String describe(List<Double> ratios) {
        return String.format(Locale.ROOT, "%.2f (%s)", median(ratios),
                ratios.stream().map(d -> fmt(d, 2)).collect(Collectors.joining(" ")));
    }

    private void printMachine() throws IOException {
        System.out.println(BenchSetup.machine("this program and the services"));
        System.out.println("pgBackRest: " + (PgBackRest.installed() ? PgBackRest.version()
                : "not installed: its rows are skipped") + "; rounds: " + rounds);
    }

    private static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
