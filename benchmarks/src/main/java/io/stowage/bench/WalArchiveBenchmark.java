package io.stowage.bench;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.BusReader;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.data.WalArchived;
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
import io.stowage.postgres.WalSegments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * WAL archiving under write load (pgbench TPC-B-like plus bulk inserts), in one run on one machine: Stowage's backup-service (packaged, its own process) to a
 * filesystem storage and to S3Proxy over HTTP, beside PostgreSQL's own pg_receivewal (lz4) to a local folder, the
 * reference tool. For each segment, the latency runs from PostgreSQL's flush position crossing the segment's end
 * (watched every 2 ms over a SQL connection) to the segment being durable: Stowage's wal.archived.v1 event time
 * (published right after the storage confirmed the write), pg_receivewal's rename of the finished file (after its
 * fsync). Then the highest WAL rate each archives: a backlog of WAL written while it was off, drained from its slot.
 */
public final class WalArchiveBenchmark {
    private static final String CLUSTER = "walbench";
    private static final String BUCKET = "stowage-wal-bench";
    private static final String SOURCE = "/stowage/bench";
    private static final long SEGMENT = 16L << 20;

    private final Path work;
    private final Path jar;
    private final int loadSeconds;
    private final int backlogMib;
    private final Map<String, Long> segmentDone = new ConcurrentHashMap<>();
    private final Map<String, Long> archivedAt = new ConcurrentHashMap<>();
    private final Map<String, Long> receivedAt = new ConcurrentHashMap<>();
    private final List<String> report = new ArrayList<>();
    private KafkaBroker broker;
    private S3ProxyServer s3;
    private PostgresCluster pg;
    private ServiceProcess service;
    private Path fsRoot;
    private Path secrets;
    private long revision;
    private volatile boolean watching;
    private volatile boolean collecting = true;
    private Path bulkScript;

    private WalArchiveBenchmark(Path work, Path jar, int loadSeconds, int backlogMib) {
        this.work = work;
        this.jar = jar;
        this.loadSeconds = loadSeconds;
        this.backlogMib = backlogMib;
    }

    public static void main(String[] args) throws Exception {
        int loadSeconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int backlogMib = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        Path jar = Path.of(args.length > 2 ? args[2] : "backup-service/target/quarkus-app/quarkus-run.jar")
                .toAbsolutePath();
        Path work = args.length > 3 ? Path.of(args[3]).toAbsolutePath() : Files.createTempDirectory("stowage-bench-wal");
        new WalArchiveBenchmark(work, jar, loadSeconds, backlogMib).run();
    }

    private void run() throws Exception {
        long began = System.nanoTime();
        try {
            start();
            Thread events = collectEvents();
            underLoad("Stowage -> filesystem", "fs");
            underLoad("Stowage -> S3 HTTP", "s3");
            underLoadReference();
            backlog("Stowage -> filesystem", "fs");
            backlog("Stowage -> S3 HTTP", "s3");
            backlogReference();
            watching = false;
            collecting = false;
            events.join(5_000);
            System.out.println();
            report.forEach(System.out::println);
        } finally {
            stop();
            Commands.deleteTree(work);
            System.out.printf("%nwhole benchmark: %.0f s%n", (System.nanoTime() - began) / 1e9);
        }
    }

    private void start() throws Exception {
        System.out.printf("machine: %d cores; load %d s per run, backlog %d MiB%n",
                Runtime.getRuntime().availableProcessors(), loadSeconds, backlogMib);
        broker = KafkaBroker.start(work.resolve("kafka"), 0);
        TopicSetup.ensureTopics(broker.bootstrapServers(), 3);
        s3 = S3ProxyServer.start(work.resolve("s3"), false);
        s3.createBucket(BUCKET);
        pg = PostgresCluster.start(work.resolve("pg"), Map.of("max_wal_size", "8GB", "checkpoint_timeout", "30min",
                "shared_buffers", "256MB"));
        System.out.println("pgbench -i -s 20 ...");
        pg.pgbench("-i", "-s", "20", "-q");
        pg.psql("create table bulk (id bigint, payload text)");
        bulkScript = Files.writeString(work.resolve("bulk.sql"), "insert into bulk select g, md5(random()::text) "
                + "|| md5(random()::text) from generate_series(1, 2000) g;\n");
        fsRoot = Files.createDirectories(work.resolve("fs-storage"));
        secrets = Files.createDirectories(work.resolve("secrets"));
        BenchSetup.s3Credentials(secrets, "s3-creds", s3);
        publishTopology("fs", false);
        service = new ServiceProcess(jar, Map.of(
                "kafka.bootstrap.servers", broker.bootstrapServers(),
                "stowage.secrets-folder", secrets.toString(),
                "stowage.instance-id", "wal-bench",
                "stowage.wal.spool-folder", work.resolve("spool").toString()), work.resolve("backup-service.log"))
                .start();
    }

    private void stop() {
        if (service != null) {
            service.close();
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

    private void publishTopology(String main, boolean pitr) {
        Map<String, StorageSpec> storages = new TreeMap<>();
        storages.put("fs", new StorageSpec(main.equals("fs"), StorageType.FILESYSTEM, null,
                new FilesystemSpec(fsRoot.toString(), null)));
        storages.put("s3", new StorageSpec(main.equals("s3"), StorageType.S3, new S3Spec(BUCKET, s3.region(),
                s3.endpoint().toString(), null, true, "s3-creds", null, null), null));
        TopologyApplied t = new TopologyApplied(CLUSTER, ++revision, main, List.of(main.equals("fs") ? "s3" : "fs"),
                new BackupConfigSpec(new PostgresSpec(pg.host(), pg.port(), pg.user(), null, null,
                        pg.binDirectory().toString(), null), new PitrSpec(pitr), storages), false, "bench");
        BenchSetup.publishTopology(broker.bootstrapServers(), t);
    }

    private Thread collectEvents() {
        Thread t = new Thread(() -> {
            try (BusReader reader = new BusReader(KafkaConnection.to(broker.bootstrapServers()), List.of(Topics.BACKUP), false)) {
                while (collecting) {
                    for (BusReader.Read r : reader.poll(Duration.ofMillis(100))) {
                        if (r.valid() && r.event().type() == EventType.WAL_ARCHIVED
                                && r.event().data() instanceof WalArchived a && a.segment().length() == 24) {
                            archivedAt.put(a.segment(), r.event().time().toInstant().toEpochMilli() * 1_000_000L);
                            if (a.receivedAt() != null) {
                                receivedAt.put(a.segment(), a.receivedAt().toInstant().toEpochMilli() * 1_000_000L);
                            }
                        }
                    }
                }
            } catch (RuntimeException e) {
                // interrupted while polling: done
            }
        }, "bench-events");
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ---- under load ----

    /** Watches PostgreSQL's flush position; records when each segment became complete (epoch nanos). */
    private Thread watchSegments() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/postgres",
                pg.user(), null);
        watching = true;
        Thread t = new Thread(() -> {
            try (c; Statement st = c.createStatement()) {
                long previous = flushLsn(st);
                while (watching) {
                    long now = flushLsn(st);
                    long stamp = epochNanos();
                    for (long end = previous - previous % SEGMENT + SEGMENT; end <= now; end += SEGMENT) {
                        segmentDone.putIfAbsent(WalSegments.segmentName(1, end - 1, SEGMENT), stamp);
                    }
                    previous = now;
                    Thread.sleep(2);
                }
            } catch (SQLException | InterruptedException e) {
                // done
            }
        }, "bench-flush-watch");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static long flushLsn(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("select pg_current_wal_flush_lsn()::text")) {
            rs.next();
            return WalSegments.parseLsn(rs.getString(1));
        }
    }

    private void underLoad(String label, String main) throws Exception {
        segmentDone.clear();
        publishTopology(main, true);
        awaitSlotActive();
        Thread watch = watchSegments();
        long startLsn = currentLsn();
        long t0 = System.nanoTime();
        load();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long endLsn = WalSegments.parseLsn(pg.psql("select pg_switch_wal()"));
        String last = WalSegments.segmentName(1, endLsn - 1, SEGMENT);
        awaitArchived(last, Duration.ofMinutes(5));
        watching = false;
        watch.join();
        List<String> segments = segmentsBetween(startLsn, endLsn);
        segments.remove(segments.size() - 1); // the switched one: complete by the switch, not by the load
        latencies(label + ", pgbench load", segments, archivedAt, endLsn - startLsn, seconds);
        List<Double> internal = new ArrayList<>();
        for (String s : segments) {
            if (receivedAt.containsKey(s) && archivedAt.containsKey(s)) {
                internal.add((archivedAt.get(s) - receivedAt.get(s)) / 1e6);
            }
        }
        report.add(String.format(Locale.ROOT, "  (inside backup-service, segment received -> durable: %s)",
                percentiles(internal)));
        publishTopology(main, false);
        awaitSlotIdle();
    }

    /**
     * The write load: pgbench's TPC-B-like transactions (4 clients) mixed with bulk inserts of 2,000 rows of md5
     * text, one in ten transactions, so that the WAL rate is that of a busy primary rather than of fsync latency.
     */
    private void load() {
        pg.pgbench("-c", "4", "-j", "2", "-T", String.valueOf(loadSeconds), "-n", "-b", "tpcb-like@9",
                "-f", bulkScript + "@1");
    }

    private void underLoadReference() throws Exception {
        segmentDone.clear();
        Path dir = Files.createDirectories(work.resolve("receivewal"));
        pg.psql("select pg_create_physical_replication_slot('bench_ref', true)");
        Process receiver = receiveWal(dir);
        Map<String, Long> durable = new ConcurrentHashMap<>();
        Thread poll = pollFolder(dir, durable);
        Thread watch = watchSegments();
        long startLsn = currentLsn();
        long t0 = System.nanoTime();
        load();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long endLsn = WalSegments.parseLsn(pg.psql("select pg_switch_wal()"));
        String last = WalSegments.segmentName(1, endLsn - 1, SEGMENT);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!durable.containsKey(last) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        watching = false;
        watch.join();
        poll.interrupt();
        receiver.destroy();
        receiver.waitFor();
        List<String> segments = segmentsBetween(startLsn, endLsn);
        segments.remove(segments.size() - 1);
        latencies("pg_receivewal lz4 -> local folder (reference), pgbench load", segments, durable,
                endLsn - startLsn, seconds);
    }

    private Process receiveWal(Path dir) throws IOException {
        return new ProcessBuilder(pg.binDirectory().resolve("pg_receivewal").toString(), "-h", pg.host(), "-p",
                String.valueOf(pg.port()), "-U", pg.user(), "-D", dir.toString(), "-S", "bench_ref", "--compress=lz4",
                "--no-loop").redirectErrorStream(true).redirectOutput(work.resolve("pg_receivewal.log").toFile()).start();
    }

    /** Records when each finished file (no .partial) appears in pg_receivewal's folder. */
    private Thread pollFolder(Path dir, Map<String, Long> durable) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try (Stream<Path> files = Files.list(dir)) {
                    long now = epochNanos();
                    files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".partial"))
                            .map(n -> n.substring(0, Math.min(24, n.length())))
                            .forEach(n -> durable.putIfAbsent(n, now));
                    Thread.sleep(2);
                } catch (IOException e) {
                    // retry
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-folder-poll");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void latencies(String label, List<String> segments, Map<String, Long> durable, long walBytes,
                           double seconds) {
        List<Double> millis = new ArrayList<>();
        List<Double> firstHalf = new ArrayList<>();
        List<Double> secondHalf = new ArrayList<>();
        int missing = 0;
        for (int i = 0; i < segments.size(); i++) {
            String s = segments.get(i);
            Long done = segmentDone.get(s);
            Long stored = durable.get(s);
            if (done == null || stored == null) {
                missing++;
                continue;
            }
            double ms = (stored - done) / 1e6;
            millis.add(ms);
            (i < segments.size() / 2 ? firstHalf : secondHalf).add(ms);
        }
        report.add(String.format(Locale.ROOT, "%s: WAL written %.1f MB/s (%d MiB in %.0f s), %d segments; "
                        + "complete -> durable: %s%s", label, walBytes / 1e6 / seconds, walBytes >> 20, seconds,
                segments.size(), percentiles(millis), missing > 0 ? "; " + missing + " not timed" : ""));
        report.add(String.format(Locale.ROOT, "  lag growing? p50 first half %.0f ms, second half %.0f ms",
                percentile(firstHalf, 50), percentile(secondHalf, 50)));
    }

    // ---- backlog drain: the highest rate ----

    private void backlog(String label, String main) throws Exception {
        long startLsn = currentLsn();
        writeBacklog();
        long endLsn = WalSegments.parseLsn(pg.psql("select pg_switch_wal()"));
        String last = WalSegments.segmentName(1, endLsn - 1, SEGMENT);
        long t0 = epochNanos();
        publishTopology(main, true);
        awaitArchived(last, Duration.ofMinutes(10));
        double seconds = (archivedAt.get(last) - t0) / 1e9;
        report.add(String.format(Locale.ROOT, "%s, backlog of %d MiB drained from the slot: %.1f s, %.0f MB/s",
                label, (endLsn - startLsn) >> 20, seconds, (endLsn - startLsn) / 1e6 / seconds));
        publishTopology(main, false);
        awaitSlotIdle();
    }

    private void backlogReference() throws Exception {
        Path dir = Files.createDirectories(work.resolve("receivewal-backlog"));
        pg.psql("select pg_drop_replication_slot('bench_ref')");
        pg.psql("select pg_create_physical_replication_slot('bench_ref', true)");
        long startLsn = currentLsn();
        writeBacklog();
        long endLsn = WalSegments.parseLsn(pg.psql("select pg_switch_wal()"));
        String last = WalSegments.segmentName(1, endLsn - 1, SEGMENT);
        Map<String, Long> durable = new ConcurrentHashMap<>();
        Thread poll = pollFolder(dir, durable);
        long t0 = epochNanos();
        Process receiver = receiveWal(dir);
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (!durable.containsKey(last) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        double seconds = (durable.getOrDefault(last, epochNanos()) - t0) / 1e9;
        poll.interrupt();
        receiver.destroy();
        receiver.waitFor();
        report.add(String.format(Locale.ROOT, "pg_receivewal lz4 -> local folder (reference), backlog of %d MiB "
                + "drained from the slot: %.1f s, %.0f MB/s", (endLsn - startLsn) >> 20, seconds,
                (endLsn - startLsn) / 1e6 / seconds));
    }

    /** Writes about {@code backlogMib} of WAL: rows of md5 text, which compress about 2:1 like real data. */
    private void writeBacklog() {
        long rows = backlogMib * 1024L * 1024L / 150;
        pg.psql("drop table if exists backlog; create table backlog (id bigint, payload text);"
                + "insert into backlog select g, md5(random()::text) || md5(random()::text) "
                + "from generate_series(1, " + rows + ") g");
    }

    // ---- helpers ----

    private void awaitArchived(String segment, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!archivedAt.containsKey(segment)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(segment + " was not archived within " + timeout);
            }
            Thread.sleep(5);
        }
    }

    private void awaitSlotActive() throws InterruptedException {
        awaitSlot("t");
    }

    private void awaitSlotIdle() throws InterruptedException {
        awaitSlot("f");
    }

    private void awaitSlot(String active) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!pg.psql("select active from pg_replication_slots where slot_name = 'stowage_" + CLUSTER + "'")
                .equals(active)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("slot never became active=" + active);
            }
            Thread.sleep(50);
        }
    }

    private long currentLsn() {
        return WalSegments.parseLsn(pg.psql("select pg_current_wal_lsn()"));
    }

    private static List<String> segmentsBetween(long startLsn, long endLsn) {
        List<String> names = new ArrayList<>();
        for (long lsn = startLsn - startLsn % SEGMENT + SEGMENT; lsn <= endLsn - 1; lsn += SEGMENT) {
            names.add(WalSegments.segmentName(1, lsn, SEGMENT));
        }
        return names;
    }



    private static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static String percentiles(List<Double> millis) {
        if (millis.isEmpty()) {
            return "no samples";
        }
        return String.format(Locale.ROOT, "p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms (n=%d)",
                percentile(millis, 50), percentile(millis, 90), percentile(millis, 99),
                Collections.max(millis), millis.size());
    }

    private static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
