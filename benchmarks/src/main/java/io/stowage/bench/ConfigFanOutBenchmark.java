package io.stowage.bench;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.BusReader;
import io.stowage.events.Topics;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.TopologyApplied;
import io.stowage.localstack.KafkaBroker;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.TopicSetup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Measures, over many main switches, the time from a config file being saved (renamed into place) to the whole
 * fan-out (four events and the topology record) being readable by a read_committed consumer; and reads
 * config-service's own diff-to-commit timer. Real broker, real packaged config-service, one machine.
 */
public final class ConfigFanOutBenchmark {
    private static final String CLUSTER = "bench";

    public static void main(String[] args) throws Exception {
        int switches = args.length > 0 ? Integer.parseInt(args[0]) : 120;
        Path jar = Path.of(args.length > 1 ? args[1] : "config-service/target/quarkus-app/quarkus-run.jar");
        String debounce = args.length > 2 ? args[2] : "100ms";
        int warmup = 30;

        Path work = Files.createTempDirectory("stowage-bench-config");
        Path folder = Files.createDirectories(work.resolve("config"));
        System.out.printf("work dir %s; %d warm-up + %d measured switches; debounce %s%n", work, warmup, switches,
                debounce);
        try (KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"), 0)) {
            TopicSetup.ensureTopics(broker.bootstrapServers(), 3);
            try (ServiceProcess service = new ServiceProcess(jar, Map.of(
                    "kafka.bootstrap.servers", broker.bootstrapServers(),
                    "stowage.config.folder", folder.toString(),
                    "stowage.config.debounce", debounce,
                    "stowage.instance-id", "bench"), work.resolve("config-service.log")).start();
                 BusReader bus = new BusReader(KafkaConnection.to(broker.bootstrapServers()),
                         List.of(Topics.STORAGE, Topics.RESYNC, Topics.TOPOLOGY), false)) {
                save(folder, config("a"));
                awaitRevision(bus, 1, false);
                long[] nanos = new long[switches];
                ApplyHistogram before = null;
                for (int i = 0; i < warmup + switches; i++) {
                    if (i == warmup) {
                        before = ApplyHistogram.parse(service.get("/q/metrics"));
                    }
                    String main = i % 2 == 0 ? "b" : "a";
                    long start = System.nanoTime();
                    save(folder, config(main));
                    awaitRevision(bus, i + 2, true);
                    if (i >= warmup) {
                        nanos[i - warmup] = System.nanoTime() - start;
                    }
                }
                report(nanos, ApplyHistogram.parse(service.get("/q/metrics")).minus(before));
                double[] floor = BareTransactionFloor.measure(broker.bootstrapServers(), switches, 110);
                System.out.println("floor: a bare Kafka transaction of the same 5 records on the same 3 topics, same broker:");
                System.out.printf("  p50 %.1f ms   p90 %.1f ms   p99 %.1f ms   max %.1f ms%n",
                        pct(floor, 50), pct(floor, 90), pct(floor, 99), floor[floor.length - 1]);
            }
        }
    }

    /** Polls until the fan-out of {@code revision} is complete: four events and its topology record. */
    private static void awaitRevision(BusReader bus, long revision, boolean mainSwitch) {
        int events = 0;
        boolean topology = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!(topology && (!mainSwitch || events == 4))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("revision " + revision + " did not arrive within 30 s");
            }
            for (BusReader.Read r : bus.poll(Duration.ofMillis(100))) {
                if (!r.valid() || !CLUSTER.equals(r.record().key())) {
                    continue;
                }
                Object data = r.event().data();
                if (data instanceof TopologyApplied t && t.revision() == revision) {
                    topology = true;
                } else if (data instanceof StorageChanged || data instanceof ResyncRequested) {
                    events++;
                }
            }
        }
    }

    private static void report(long[] nanos, ApplyHistogram applies) {
        double[] ms = Arrays.stream(nanos).sorted().mapToDouble(n -> n / 1e6).toArray();
        System.out.println();
        System.out.println("save -> fan-out readable (read_committed), " + ms.length + " main switches:");
        System.out.printf("  p50 %.1f ms   p90 %.1f ms   p99 %.1f ms   max %.1f ms%n",
                pct(ms, 50), pct(ms, 90), pct(ms, 99), ms[ms.length - 1]);
        System.out.println("config-service diff -> commit, the same switches (its stowage.config.apply histogram; "
                + "a percentile is the upper bound of its bucket):");
        System.out.printf("  count %d   p50 <= %.1f ms   p90 <= %.1f ms   p99 <= %.1f ms   max <= %.1f ms%n",
                applies.count(), applies.percentileMillis(50), applies.percentileMillis(90),
                applies.percentileMillis(99), applies.percentileMillis(100));
    }

    private static double pct(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static void save(Path folder, String yaml) throws IOException {
        Path tmp = folder.resolve(".bench.yaml.tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, folder.resolve("bench.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String config(String main) {
        return """
                apiVersion: stowage.io/v1alpha1
                kind: BackupConfig
                metadata:
                  name: bench
                spec:
                  postgres: {host: 127.0.0.1, port: 5432, user: postgres}
                  pitr: {enabled: true}
                  storages:
                    a:
                      main: %s
                      type: filesystem
                      filesystem: {path: /srv/bench/a}
                    b:
                      main: %s
                      type: filesystem
                      filesystem: {path: /srv/bench/b}
                """.formatted(main.equals("a"), main.equals("b"));
    }

    private ConfigFanOutBenchmark() {
    }
}
