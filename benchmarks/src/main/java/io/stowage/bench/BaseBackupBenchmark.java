package io.stowage.bench;

import io.stowage.bus.KafkaEventPublisher;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.BusReader;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupRequested;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Base backups of one generated database (pgbench plus random md5 text, so that it compresses like real data), each
 * timed wall-clock, in one run on one machine: pg_basebackup with client-side zstd:1 to a local folder (the floor);
 * Stowage's backup-service (packaged, its own process, -Xmx256m) to a filesystem storage, to S3Proxy over HTTP, to
 * S3Proxy over HTTPS (CA bundle from a secret), and to a filesystem storage and S3 at once; and, when installed,
 * pgBackRest (zstd 1, process-max 2) to the same HTTPS S3Proxy. Stowage's time runs from publishing
 * backup.requested.v1 to reading backup.completed.v1 (read_committed). backup-service's heap is sampled during its
 * runs, and CPU seconds per component are read from /proc, so the figures say where the time goes.
 */
public final class BaseBackupBenchmark {
    private static final String CLUSTER = "bench";
    private static final String BUCKET = "stowage-bench";
    private static final String PGBACKREST_BUCKET = "pgbackrest-bench";
    private static final String SOURCE = "/stowage/bench";
    private static final int DEFAULT_WORKERS = 1; // backup-service's own default (stowage.backup.zstd-workers)
    private static final long HEAP_LIMIT = 256L << 20;
    private static final long HEAP_SAMPLE_MILLIS = 250;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);
    private static final int EXTRA_ROUNDS = 1;
    private static final List<String> STOWAGE_RUNS = List.of("fs", "s3", "s3tls", "both");
    private static final Map<String, String> SHORT = Map.of("fs", "Stowage -> filesystem", "s3", "Stowage -> S3 HTTP",
            "s3tls", "Stowage -> S3 HTTPS", "both", "Stowage -> fs + S3 HTTP");

    // CPU groups (see CpuMeter).
    private static final String CPU_PG = "postgres";
    private static final String CPU_TOOL = "client tool";
    private static final String CPU_SERVICE = "backup-service";
    private static final String CPU_S3 = "S3Proxy";
    private static final String CPU_BROKER = "Kafka";
    private static final String CPU_BENCH = "bench";

    /** One timed attempt of a run; -1 where a figure does not apply. */
    record Attempt(double seconds, long storedBytes, long tarBytes, double serviceSeconds, double startedSeconds,
                   long heapMax, long liveMax, int heapSamples, Map<String, Double> cpu, double busy, double iowait, double steal,
                   String threads) {
        /** CPU seconds of every component measured. */
        double ours() {
            return cpu.values().stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    /** A run and its attempts; the best (shortest) attempt is the figure. */
    static final class Run {
        final String label;
        final List<Attempt> attempts = new ArrayList<>();

        Run(String label) {
            this.label = label;
        }

        Attempt best() {
            return attempts.stream().min(Comparator.comparingDouble(Attempt::seconds)).orElseThrow();
        }

        double seconds() {
            return attempts.isEmpty() ? Double.NaN : best().seconds();
        }

        String all() {
            return attempts.stream().map(a -> fmt(a.seconds(), 2)).collect(Collectors.joining(" "));
        }
    }

    private final Path work;
    private final Path jar;
    private final int attempts;
    private final List<Integer> sweep;
    private final Map<String, Run> runs = new LinkedHashMap<>();
    private final Map<Integer, Map<String, Run>> sweepRuns = new TreeMap<>();
    private final java.util.Set<Path> serviceLogs = new java.util.LinkedHashSet<>();
    private final Map<Integer, List<Attempt>> coldRuns = new TreeMap<>();
    private final List<Block> blocks = new ArrayList<>();
    private KafkaBroker broker;
    private S3ProxyServer s3Http;
    private S3ProxyServer s3Https;
    private PostgresCluster pg;
    private KafkaEventPublisher publisher;
    private Path fsRoot;
    private Path secrets;
    private long postmasterPid;
    private int strangers;

    private BaseBackupBenchmark(Path work, Path jar, int attempts, List<Integer> sweep) {
        this.work = work;
        this.jar = jar;
        this.attempts = attempts;
        this.sweep = sweep;
    }

    public static void main(String[] args) throws Exception {
        double gb = args.length > 0 ? Double.parseDouble(args[0]) : GeneratedDatabase.REFERENCE_GB;
        Path jar = Path.of(args.length > 1 ? args[1] : "backup-service/target/quarkus-app/quarkus-run.jar")
                .toAbsolutePath();
        Path work = args.length > 2 ? Path.of(args[2]).toAbsolutePath()
                : Files.createTempDirectory("stowage-bench-backup");
        int attempts = Integer.getInteger("stowage.bench.attempts", 3);
        List<Integer> sweep = Arrays.stream(System.getProperty("stowage.bench.zstd-workers", "0,1,2").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).map(Integer::parseInt).distinct().sorted().toList();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build backup-service first");
        }
        new BaseBackupBenchmark(work, jar, attempts, sweep).run(gb);
    }

    private void run(double gb) throws Exception {
        long began = System.nanoTime();
        printMachine();
        boolean ok = false;
        try {
            start();
            GeneratedDatabase.generate(pg, gb);
            prepareStowage();
            PgBackRest pgbackrest = null;
            if (PgBackRest.installed()) {
                pgbackrest = new PgBackRest(Files.createDirectories(work.resolve("pgbackrest")), pg, s3Https,
                        PGBACKREST_BUCKET);
                pgbackrest.stanzaCreate();
            }
            measure(pgbackrest);
            report(pgbackrest != null);
            ok = true;
        } finally {
            BenchSetup.finish(ok, serviceLogs, this::stop, work, began);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Setting up

    private void start() throws IOException {
        System.out.printf("work dir %s%n", work);
        broker = KafkaBroker.start(work.resolve("kafka"), 0);
        TopicSetup.ensureTopics(broker.bootstrapServers(), 3);
        s3Http = S3ProxyServer.start(work.resolve("s3-http"), false);
        s3Https = S3ProxyServer.start(work.resolve("s3-https"), true);
        s3Http.createBucket(BUCKET);
        s3Https.createBucket(BUCKET);
        pg = PostgresCluster.start(work.resolve("pg"), Map.of("max_wal_size", "2GB"));
        postmasterPid = pg.postmasterPid();
        publisher = new KafkaEventPublisher(KafkaConnection.to(broker.bootstrapServers()), "bench-backup");
    }

    private void prepareStowage() throws IOException {
        fsRoot = Files.createDirectories(work.resolve("fs-storage"));
        secrets = Files.createDirectories(work.resolve("secrets"));
        BenchSetup.s3Credentials(secrets, "s3-http", s3Http);
        BenchSetup.s3Credentials(secrets, "s3-https", s3Https);
        BenchSetup.caBundle(secrets, "s3-ca", s3Https);
        Map<String, StorageSpec> storages = new TreeMap<>();
        storages.put("fs", new StorageSpec(true, StorageType.FILESYSTEM, null,
                new FilesystemSpec(fsRoot.toString(), null)));
        storages.put("s3", new StorageSpec(false, StorageType.S3, new S3Spec(BUCKET, s3Http.region(),
                s3Http.endpoint().toString(), null, true, "s3-http", null, null), null));
        storages.put("s3tls", new StorageSpec(false, StorageType.S3, new S3Spec(BUCKET, s3Https.region(),
                s3Https.endpoint().toString(), null, true, "s3-https", "s3-ca", null), null));
        TopologyApplied topology = new TopologyApplied(CLUSTER, 1, "fs", List.of("s3", "s3tls"), new BackupConfigSpec(
                new PostgresSpec(pg.host(), pg.port(), pg.user(), null, null, pg.binDirectory().toString(), null),
                new PitrSpec(false), storages), false, "bench");
        BenchSetup.publishTopology(broker.bootstrapServers(), topology);
    }

    private ServiceProcess startService(int workers) throws IOException {
        String instance = "bench-w" + workers;
        Path log = work.resolve("backup-service-w" + workers + ".log");
        serviceLogs.add(log);
        Map<String, String> props = new LinkedHashMap<>();
        props.put("kafka.bootstrap.servers", broker.bootstrapServers());
        props.put("stowage.secrets-folder", secrets.toString());
        props.put("stowage.instance-id", instance);
        props.put("stowage.backup.zstd-level", "1");
        props.put("stowage.backup.zstd-workers", String.valueOf(workers));
        ServiceProcess service = new ServiceProcess(jar, props, log).start();
        return service;
    }

    /** CPU groups; {@code servicePid} -1 when no backup-service runs. */
    private CpuMeter meter(long servicePid) {
        long self = ProcessHandle.current().pid();
        CpuMeter meter = new CpuMeter().tree(CPU_PG, postmasterPid);
        if (servicePid > 0) {
            // pg_basebackup and psql run by backup-service
            meter.reaped(CPU_TOOL + "/service", servicePid).self(CPU_SERVICE, servicePid);
        }
        // pg_basebackup and pgBackRest run by this program
        meter.reaped(CPU_TOOL + "/bench", self)
                .self(CPU_S3 + "/http", s3Http.pid())
                .self(CPU_S3 + "/https", s3Https.pid())
                .self(CPU_BROKER, broker.pid())
                .self(CPU_BENCH, self);
        return meter;
    }

    private void stop() {
        if (publisher != null) {
            publisher.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (s3Https != null) {
            s3Https.close();
        }
        if (s3Http != null) {
            s3Http.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Measuring

    private void measure(PgBackRest pgbackrest) throws Exception {
        run("floor", "a pg_basebackup -Ft client-zstd:1 -> local folder");
        run("fs", "b Stowage -> filesystem");
        run("s3", "c Stowage -> S3Proxy HTTP");
        run("s3tls", "d Stowage -> S3Proxy HTTPS (CA bundle)");
        run("both", "e Stowage -> filesystem + S3 HTTP");
        if (pgbackrest != null) {
            run("pgbackrest", "f pgBackRest zst:1 p2 -> S3Proxy HTTPS");
        }
        List<Integer> settings = new ArrayList<>(List.of(DEFAULT_WORKERS));
        sweep.stream().filter(w -> w != DEFAULT_WORKERS).forEach(settings::add);
        for (int workers : settings) {
            Map<String, Run> these = new LinkedHashMap<>();
            for (String key : STOWAGE_RUNS) {
                these.put(key, workers == DEFAULT_WORKERS ? runs.get(key)
                        : new Run("  zstd-workers " + workers + ": " + SHORT.get(key)));
            }
            sweepRuns.put(workers, these);
        }
        // The machine's speed drifts by tens of percent over minutes (other VMs on the host), so every comparison a
        // goal makes is taken within one block, seconds apart, and the goal is judged on the median over rounds.
        List<String> order = new ArrayList<>(List.of("floor", "fs", "s3", "s3tls"));
        if (pgbackrest != null) {
            order.add("pgbackrest");
        }
        order.add("both");
        System.out.printf("%nmeasuring: %d rounds (one more if other load disturbed a best attempt). A round has a"
                + " block per zstd-workers setting %s: a fresh backup-service, one warm-up backup, then %s, each"
                + " timed.%n", attempts, settings, String.join(", ", order));
        for (int round = 1; round <= attempts + EXTRA_ROUNDS; round++) {
            if (round > attempts && allRuns().noneMatch(r -> disturbed(r.best()))) {
                break;
            }
            System.out.printf("round %d%s%n", round, round > attempts ? " (extra: a best attempt was disturbed)" : "");
            for (int workers : settings) {
                Map<String, Run> these = sweepRuns.get(workers);
                Map<String, Attempt> block = new LinkedHashMap<>();
                ServiceProcess service = startService(workers);
                try {
                    CpuMeter cpu = meter(service.pid());
                    if (round == 1 && workers == DEFAULT_WORKERS) {
                        ProcessHandle handle = ProcessHandle.of(service.pid()).orElseThrow();
                        System.out.printf("backup-service: %s%n", handle.info().commandLine().orElse("?")
                                .replaceAll("-Dstowage\\.secrets-folder=\\S+ ", ""));
                    }
                    warmUp(service, cpu, workers);
                    for (String key : order) {
                        Attempt a = attempt(key, round, service, cpu, pgbackrest);
                        block.put(key, a);
                        record(these.containsKey(key) ? these.get(key) : runs.get(key), round, a);
                    }
                } finally {
                    service.stop();
                }
                blocks.add(new Block(workers, round, block));
            }
        }
    }

    private java.util.stream.Stream<Run> allRuns() {
        return java.util.stream.Stream.concat(runs.values().stream(),
                sweepRuns.values().stream().flatMap(m -> m.values().stream())).distinct();
    }

    /** One service's runs in one round: what the paired ratios compare. */
    record Block(int workers, int round, Map<String, Attempt> attempts) {
        double seconds(String key) {
            Attempt a = attempts.get(key);
            return a == null ? Double.NaN : a.seconds();
        }
    }

    /** A ratio within each block of one setting, in round order. */
    private List<Double> paired(int workers, java.util.function.ToDoubleFunction<Block> ratio) {
        return blocks.stream().filter(b -> b.workers() == workers).map(ratio::applyAsDouble)
                .filter(d -> !Double.isNaN(d)).toList();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String describe(List<Double> ratios) {
        return String.format(Locale.ROOT, "%.2f (%s)", median(ratios),
                ratios.stream().map(d -> fmt(d, 2)).collect(Collectors.joining(" ")));
    }

    private static double fsRatio(Block b) {
        return b.seconds("fs") / b.seconds("floor");
    }

    private static double s3Ratio(Block b) {
        return b.seconds("s3tls") / b.seconds("pgbackrest");
    }

    private static double bothRatio(Block b) {
        return b.seconds("both") / Math.max(b.seconds("fs"), b.seconds("s3"));
    }

    /**
     * The first backup after a service starts pays for loading and compiling its code (Jackson, the AWS SDK, TLS):
     * once per process, not per backup. It goes to all three storages, is reported, and is not one of the attempts.
     */
    private void warmUp(ServiceProcess service, CpuMeter cpu, int workers) throws InterruptedException, IOException {
        Attempt a = stowage(service, cpu, List.of("fs", "s3", "s3tls"), "warm-up-w" + workers);
        coldRuns.computeIfAbsent(workers, w -> new ArrayList<>()).add(a);
        printAttempt("  warm-up, zstd-workers " + workers + ": fs + S3 + S3 HTTPS", 0, a);
    }

    private Attempt attempt(String key, int i, ServiceProcess service, CpuMeter cpu, PgBackRest pgbackrest)
            throws InterruptedException, IOException {
        return switch (key) {
            case "floor" -> floor(cpu, i);
            case "fs" -> stowage(service, cpu, List.of("fs"), "fs-" + i);
            case "s3" -> stowage(service, cpu, List.of("s3"), "s3-" + i);
            case "s3tls" -> stowage(service, cpu, List.of("s3tls"), "s3tls-" + i);
            case "both" -> stowage(service, cpu, List.of("fs", "s3"), "both-" + i);
            case "pgbackrest" -> pgBackRest(pgbackrest, cpu);
            default -> throw new IllegalArgumentException(key);
        };
    }

    /** Whether other processes or VMs took more than a tenth of the machine's CPU during an attempt. */
    private static boolean disturbed(Attempt a) {
        return Math.max(0, a.busy() - a.ours()) + a.steal() > 0.1 * cores() * a.seconds();
    }

    private void run(String key, String label) {
        runs.put(key, new Run(label));
    }

    private static void record(Run run, int attempt, Attempt a) {
        run.attempts.add(a);
        printAttempt(run.label, attempt, a);
    }

    private static void printAttempt(String label, int attempt, Attempt a) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-42s #%d  %6.2f s  stored %s",
                label, attempt, a.seconds(), mb(a.storedBytes())));
        if (a.serviceSeconds() >= 0) {
            line.append(String.format(Locale.ROOT, "  started after %.2f s  service %.2f s  heap max %s MiB (live after"
                    + " GC %s, %d samples)", a.startedSeconds(), a.serviceSeconds(), mib(a.heapMax()), mib(a.liveMax()),
                    a.heapSamples()));
        }
        System.out.println(line);
    }

    /**
     * With {@code -Dstowage.bench.jfr-dir=DIR}: a Java Flight Recorder profile of backup-service for each Stowage
     * attempt, started before and dumped after the clock (jcmd runs outside the timed part). Off by default: the
     * recorder costs a few percent.
     */
    private Path profile(ServiceProcess service, String backupId, Path started) throws IOException {
        String dir = System.getProperty("stowage.bench.jfr-dir");
        if (dir == null || dir.isBlank()) {
            return null;
        }
        String pid = String.valueOf(serviceProcessPid(service));
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        if (started == null) {
            Path file = Files.createDirectories(Path.of(dir)).resolve(backupId + ".jfr").toAbsolutePath();
            Commands.runOrThrow(List.of(jcmd, pid, "JFR.start", "name=bench", "settings=profile",
                    "filename=" + file), Map.of(), Duration.ofMinutes(1));
            return file;
        }
        Commands.runOrThrow(List.of(jcmd, pid, "JFR.stop", "name=bench"), Map.of(), Duration.ofMinutes(1));
        System.out.println("  profile: " + started);
        return started;
    }

    private long serviceProcessPid(ServiceProcess service) {
        return service.pid();
    }

    /** Lets the previous run's writes reach the disk and the machine settle before the clock starts. */
    private static void settle() throws InterruptedException {
        Commands.sync();
        Thread.sleep(1000);
    }

    private Attempt floor(CpuMeter cpu, int attempt) throws InterruptedException {
        Path out = work.resolve("floor-" + attempt);
        List<String> command = List.of(pg.binDirectory().resolve("pg_basebackup").toString(), "-h", pg.host(),
                "-p", String.valueOf(pg.port()), "-U", pg.user(), "-D", out.toString(), "-Ft",
                "--compress=client-zstd:1", "-X", "fetch", "--checkpoint=fast");
        settle();
        CpuMeter.Snapshot before = cpu.snapshot();
        Commands.Result r = Commands.runOrThrow(command, Map.of(), RUN_TIMEOUT);
        CpuMeter.Snapshot after = cpu.snapshot();
        long stored = Commands.treeBytes(out);
        Commands.deleteTree(out);
        double[] machine = after.machineSince(before);
        return new Attempt(r.seconds(), stored, -1, -1, -1, -1, -1, 0, after.secondsSince(before), machine[0],
                machine[1], machine[2], null);
    }

    private Attempt pgBackRest(PgBackRest pgbackrest, CpuMeter cpu) throws InterruptedException {
        long repoBefore = pgbackrest.repositoryBytes();
        settle();
        CpuMeter.Snapshot before = cpu.snapshot();
        Commands.Result r = pgbackrest.fullBackup();
        CpuMeter.Snapshot after = cpu.snapshot();
        double[] machine = after.machineSince(before);
        return new Attempt(r.seconds(), pgbackrest.repositoryBytes() - repoBefore, -1, -1, -1, -1, -1, 0,
                after.secondsSince(before), machine[0], machine[1], machine[2], null);
    }

    private Attempt stowage(ServiceProcess service, CpuMeter cpu, List<String> storages, String idPrefix)
            throws InterruptedException, IOException {
        String backupId = idPrefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Envelope<BackupRequested> request = Envelope.root(SOURCE, new BackupRequested(CLUSTER, storages, backupId));
        BackupCompleted done = null;
        String failure = null;
        long start;
        long end = 0;
        long started = -1;
        HeapSampler heap;
        String threads;
        CpuMeter.Snapshot before;
        CpuMeter.Snapshot after;
        Path jfr = profile(service, backupId, null);
        try (BusReader reader = new BusReader(KafkaConnection.to(broker.bootstrapServers()), List.of(Topics.BACKUP), false)) {
            settle();
            before = cpu.snapshot();
            heap = new HeapSampler(service, HEAP_SAMPLE_MILLIS);
            ThreadCpu threadCpu = new ThreadCpu(service.pid(), Duration.ofMillis(HEAP_SAMPLE_MILLIS));
            try {
                start = System.nanoTime();
                publisher.publishAndWait(request);
                long deadline = start + RUN_TIMEOUT.toNanos();
                while (done == null && failure == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("backup " + backupId + " did not end within " + RUN_TIMEOUT);
                    }
                    for (BusReader.Read r : reader.poll(Duration.ofMillis(100))) {
                        if (!r.valid()) {
                            continue;
                        }
                        Envelope<StowageEvent> e = r.event();
                        if (!e.correlationId().equals(request.correlationId())) {
                            if (e.type() != EventType.BACKUP_REQUESTED) {
                                strangers++; // another backup ran during this one: its time would be wrong
                            }
                            continue;
                        }
                        if (e.type() == EventType.BACKUP_STARTED && started < 0) {
                            started = System.nanoTime();
                        } else if (e.data() instanceof BackupCompleted c && done == null) {
                            done = c;
                            end = System.nanoTime();
                        } else if (e.data() instanceof BackupFailed f) {
                            failure = f.reason();
                        }
                    }
                }
            } finally {
                heap.close();
                threads = threadCpu.top(6);
            }
            after = cpu.snapshot();
        }
        profile(service, backupId, jfr);
        if (failure != null) {
            throw new IllegalStateException("backup " + backupId + " to " + storages + " failed: " + failure);
        }
        for (String storage : storages) {
            Path dir = switch (storage) {
                case "fs" -> fsRoot;
                case "s3" -> s3Http.dataDirectory().resolve(BUCKET);
                case "s3tls" -> s3Https.dataDirectory().resolve(BUCKET);
                default -> throw new IllegalArgumentException(storage);
            };
            Path backup = dir.resolve("stowage").resolve(CLUSTER).resolve("backups").resolve(backupId);
            Path archive = backup.resolve("base.tar.zst");
            if (!Files.exists(backup.resolve("stowage.json")) || Files.size(archive) != done.storedBytes()) {
                throw new IllegalStateException(storage + ": " + archive + " is not the " + done.storedBytes()
                        + " bytes the completed event reports, or the manifest is missing");
            }
            Commands.deleteTree(backup);
        }
        double[] machine = after.machineSince(before);
        double serviceSeconds = Duration.between(done.startTime(), done.stopTime()).toMillis() / 1e3;
        return new Attempt((end - start) / 1e9, done.storedBytes(), done.sizeBytes(), serviceSeconds,
                started < 0 ? -1 : (started - start) / 1e9, heap.maxHeapBytes(), heap.maxLiveBytes(), heap.samples(),
                after.secondsSince(before), machine[0], machine[1], machine[2], threads);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reporting

    private void report(boolean withPgBackRest) {
        Run floor = runs.get("floor");
        Run fs = runs.get("fs");
        Run s3 = runs.get("s3");
        Run s3tls = runs.get("s3tls");
        Run both = runs.get("both");
        Run pgbr = runs.get("pgbackrest");
        double f = floor.seconds();
        Attempt bestFs = fs.best();
        System.out.printf("%n%nRESULTS (wall-clock; Stowage: backup.requested.v1 published -> backup.completed.v1 read,"
                + " read_committed; zstd-workers %d, the default). time = best attempt; x floor = best / best floor;"
                + " paired = the goal's ratio within each round's block, seconds apart: median (each round). Goals are"
                + " judged on the paired median.%n", DEFAULT_WORKERS);
        System.out.printf("backup: %s of tar read, zstd level 1 -> %s stored (ratio %.2f)%n", mb(bestFs.tarBytes()),
                mb(bestFs.storedBytes()), bestFs.tarBytes() / (double) bestFs.storedBytes());
        String header = String.format(Locale.ROOT, "%-42s %7s  %-20s %7s %10s %9s  %-20s  %-33s %-22s %s", "run",
                "time s", "attempts", "x floor", "stored MB", "service s", "heap MiB max (live)", "goal", "paired",
                "met");
        System.out.println(header);
        System.out.println("-".repeat(header.length() + 4));
        row(floor, f, "the floor", null, null);
        List<Double> fsPaired = paired(DEFAULT_WORKERS, BaseBackupBenchmark::fsRatio);
        row(fs, f, "<= 1.15 x floor", describe(fsPaired), median(fsPaired) <= 1.15);
        row(s3, f, pgbr != null ? String.format(Locale.ROOT, "(best: %.2f x pgBackRest)", s3.seconds() / pgbr.seconds())
                : "-", null, null);
        if (pgbr != null) {
            List<Double> s3Paired = paired(DEFAULT_WORKERS, BaseBackupBenchmark::s3Ratio);
            row(s3tls, f, String.format(Locale.ROOT, "<= 0.6 x pgBackRest (best %.2f)", s3tls.seconds() / pgbr.seconds()),
                    describe(s3Paired), median(s3Paired) <= 0.6);
        } else {
            row(s3tls, f, "<= 0.6 x pgBackRest", "pgBackRest not installed", null);
        }
        List<Double> bothPaired = paired(DEFAULT_WORKERS, BaseBackupBenchmark::bothRatio);
        row(both, f, "<= 1.1 x slower of fs, S3 alone", describe(bothPaired), median(bothPaired) <= 1.1);
        if (pgbr != null) {
            row(pgbr, f, "the comparison", null, null);
        } else {
            System.out.printf("%-42s skipped: pgbackrest is not installed (apt-get install pgbackrest)%n",
                    "f pgBackRest -> S3Proxy HTTPS");
        }
        long heapMax = runs.values().stream().flatMap(r -> r.attempts.stream()).mapToLong(Attempt::heapMax).max()
                .orElse(-1);
        long heapMaxSweep = sweepRuns.values().stream().flatMap(m -> m.values().stream())
                .flatMap(r -> r.attempts.stream()).mapToLong(Attempt::heapMax).max().orElse(-1);
        long all = Math.max(heapMax, heapMaxSweep);
        System.out.printf(Locale.ROOT, "%-42s %7s  %-20s %7s %10s %9s  %-20s  %-33s %-22s %s%n",
                "backup-service heap, every Stowage attempt", "", "", "", "", "", mib(all) + " max", "< 256 MiB (-Xmx256m)",
                "", all > 0 && all < HEAP_LIMIT ? "yes" : "NO");
        System.out.println("heap: the largest sum of backup-service's heap pools, sampled every " + HEAP_SAMPLE_MILLIS
                + " ms from /q/metrics (garbage not yet collected included: G1 uses the heap it is given before"
                + " collecting); live: the largest old generation left after a major collection (Micrometer's"
                + " jvm.gc.live.data.size). Every run completing under -Xmx256m proves the bound.");
        if (withPgBackRest) {
            System.out.println("pgBackRest: full backup, compress-type=zst compress-level=1 process-max=2, repo on"
                    + " S3Proxy over HTTPS (CA file); archive-check=n because WAL archiving is not configured here,"
                    + " so its time leaves out waiting for WAL to be archived (Stowage's archive includes its WAL:"
                    + " -X fetch). Stored = what its repository gained.");
        }
        coldRuns.forEach((w, list) -> System.out.printf(Locale.ROOT, "first backup after backup-service started"
                        + " (zstd-workers %d, cold JVM, to fs + S3 HTTP + S3 HTTPS at once; not counted above): %s s;"
                        + " published -> started: %s s%n", w,
                list.stream().map(a -> fmt(a.seconds(), 2)).collect(Collectors.joining(" ")),
                list.stream().map(a -> fmt(a.startedSeconds(), 2)).collect(Collectors.joining(" "))));
        if (strangers > 0) {
            System.out.printf("WARNING: %d event(s) of other backups arrived during measured runs: figures may be"
                    + " off%n", strangers);
        }

        System.out.printf("%nCPU seconds during the best attempt of each run (%d cores: at most %d CPU-s per wall"
                + " second). client tool = pg_basebackup (floor, or run by backup-service) or pgBackRest;"
                + " machine = all CPU time this VM used, iowait and steal apart; others = machine minus the components listed"
                + " (other processes, kernel threads); steal = CPU time the hypervisor gave to other VMs%n", cores(), cores());
        String cpuHeader = String.format(Locale.ROOT, "%-42s %6s %9s %11s %14s %8s %6s %6s %9s %8s %7s %7s %6s",
                "run", "wall", "postgres", "client tool", "backup-service", "S3Proxy", "Kafka", "bench", "machine",
                "(x wall)", "others", "iowait", "steal");
        System.out.println(cpuHeader);
        System.out.println("-".repeat(cpuHeader.length()));
        for (Run r : runs.values()) {
            if (!r.attempts.isEmpty()) {
                cpuRow(r.label, r.best());
            }
        }
        for (var e : sweepRuns.entrySet()) {
            if (e.getKey() != DEFAULT_WORKERS) {
                e.getValue().values().forEach(r -> cpuRow(r.label, r.best()));
            }
        }
        List<String> disturbed = new ArrayList<>();
        runs.values().forEach(r -> checkQuiet(r.label, r, disturbed));
        sweepRuns.forEach((w, m) -> {
            if (w != DEFAULT_WORKERS) {
                m.values().forEach(r -> checkQuiet(r.label, r, disturbed));
            }
        });
        if (!disturbed.isEmpty()) {
            System.out.println("WARNING: other processes or VMs (steal) took more than 10% of the machine's CPU during: "
                    + String.join("; ", disturbed) + ". Their figures are slower than this machine can do; run"
                    + " again when the machine is quiet.");
        }

        System.out.printf("%nbackup-service's busiest threads during the best attempt (CPU seconds, from"
                + " /proc/PID/task; zstd's native workers carry the name of the thread that started them):%n");
        for (Run r : runs.values()) {
            if (!r.attempts.isEmpty() && r.best().threads() != null) {
                System.out.printf("%-42s %s%n", r.label, r.best().threads());
            }
        }
        for (var e : sweepRuns.entrySet()) {
            if (e.getKey() != DEFAULT_WORKERS) {
                e.getValue().values().forEach(r -> System.out.printf("%-42s %s%n", r.label, r.best().threads()));
            }
        }

        if (sweepRuns.size() > 1) {
            sweepReport(withPgBackRest);
        }
    }

    /** The Stowage runs under each zstd-workers setting, and the goals under each. */
    private void sweepReport(boolean withPgBackRest) {
        System.out.printf("%nstowage.backup.zstd-workers (%d is the default; 0 = compress on the copying thread): best"
                + " attempt in seconds, and the goals' paired medians%n", DEFAULT_WORKERS);
        System.out.printf("%-8s %11s %9s %10s %9s %8s   %-14s %-16s %-14s%n", "workers", "filesystem", "S3 HTTP",
                "S3 HTTPS", "fs + S3", "sum", "fs / floor", "HTTPS / pgBR", "both / single");
        int fastest = -1;
        double fastestSum = Double.MAX_VALUE;
        for (var e : sweepRuns.entrySet()) {
            int w = e.getKey();
            double sum = STOWAGE_RUNS.stream().mapToDouble(k -> e.getValue().get(k).seconds()).sum();
            double fs = median(paired(w, BaseBackupBenchmark::fsRatio));
            double s3 = withPgBackRest ? median(paired(w, BaseBackupBenchmark::s3Ratio)) : Double.NaN;
            double both = median(paired(w, BaseBackupBenchmark::bothRatio));
            System.out.printf(Locale.ROOT, "%-8d %11.2f %9.2f %10.2f %9.2f %8.2f   %-14s %-16s %-14s%n", w,
                    e.getValue().get("fs").seconds(), e.getValue().get("s3").seconds(),
                    e.getValue().get("s3tls").seconds(), e.getValue().get("both").seconds(), sum,
                    verdict(fs, 1.15), withPgBackRest ? verdict(s3, 0.6) : "-", verdict(both, 1.1));
            if (sum < fastestSum) {
                fastestSum = sum;
                fastest = w;
            }
        }
        System.out.printf("fastest (sum of the four best times): zstd-workers=%d%n", fastest);
    }

    private static String verdict(double ratio, double goal) {
        return String.format(Locale.ROOT, "%.2f %s", ratio, ratio <= goal ? "met" : "NOT met");
    }

    private static void checkQuiet(String label, Run r, List<String> disturbed) {
        Attempt a = r.best();
        double others = Math.max(0, a.busy() - a.ours()) + a.steal();
        if (disturbed(a)) {
            disturbed.add(String.format(Locale.ROOT, "%s (%.1f CPU-s to others, %.1f of it steal)", label.trim(),
                    others, a.steal()));
        }
    }

    private void row(Run r, double floor, String goal, String paired, Boolean met) {
        Attempt b = r.best();
        String heap = b.heapMax() >= 0 ? mib(b.heapMax()) + " (" + mib(b.liveMax()) + ")" : "-";
        System.out.printf(Locale.ROOT, "%-42s %7.2f  %-20s %7.2f %10.1f %9s  %-20s  %-33s %-22s %s%n", r.label,
                b.seconds(), r.all(), b.seconds() / floor, b.storedBytes() / 1e6,
                b.serviceSeconds() >= 0 ? fmt(b.serviceSeconds(), 2) : "-", heap, goal, paired == null ? "-" : paired,
                met == null ? "-" : met ? "yes" : "NO");
    }

    private static void cpuRow(String label, Attempt a) {
        Map<String, Double> c = a.cpu();
        double tool = c.getOrDefault(CPU_TOOL + "/service", 0.0) + c.getOrDefault(CPU_TOOL + "/bench", 0.0);
        double s3 = c.getOrDefault(CPU_S3 + "/http", 0.0) + c.getOrDefault(CPU_S3 + "/https", 0.0);
        System.out.printf(Locale.ROOT,
                "%-42s %6.2f %9.2f %11.2f %14.2f %8.2f %6.2f %6.2f %9.2f %8.2f %7.2f %7.2f %6.2f%n",
                label, a.seconds(), c.getOrDefault(CPU_PG, 0.0), tool, c.getOrDefault(CPU_SERVICE, 0.0), s3,
                c.getOrDefault(CPU_BROKER, 0.0), c.getOrDefault(CPU_BENCH, 0.0), a.busy(), a.busy() / a.seconds(),
                Math.max(0, a.busy() - a.ours()), a.iowait(), a.steal());
    }

    private void printMachine() throws IOException {
        System.out.println(BenchSetup.machine("this program and backup-service"));
        System.out.println("pgBackRest: " + (PgBackRest.installed() ? PgBackRest.version()
                : "not installed: its row is skipped"));
        System.out.println("zstd-workers settings to try: " + sweep + "; attempts per run: " + attempts);
    }

    private static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static String mb(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
