package io.stowage.bench;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.events.Topics;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One change that moves the main storage of many clusters: every cluster's config file is rewritten (as a GitOps
 * sync would, one rename each, as fast as they go), and for each cluster the time from ITS file's save to its
 * fan-out (topology record of the new revision, read_committed) being readable is measured. Real broker, real
 * packaged config-service (one instance), one machine. Run it against two jars to compare.
 */
public final class ConfigFanOutManyBenchmark {

    public static void main(String[] args) throws Exception {
        int clusters = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path jar = Path.of(args.length > 1 ? args[1] : "config-service/target/quarkus-app/quarkus-run.jar");
        Path work = Files.createTempDirectory("stowage-bench-config-many");
        Path folder = Files.createDirectories(work.resolve("config"));
        System.out.printf("work dir %s; %d clusters; config-service %s%n", work, clusters, jar);
        try (KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"), 0)) {
            TopicSetup.ensureTopics(broker.bootstrapServers(), 3);
            for (int i = 0; i < clusters; i++) {
                save(folder, i, "a");
            }
            try (ServiceProcess service = new ServiceProcess(jar, Map.of(
                    "kafka.bootstrap.servers", broker.bootstrapServers(),
                    "stowage.config.folder", folder.toString(),
                    "stowage.instance-id", "bench"), work.resolve("config-service.log")).start();
                 BusReader bus = new BusReader(KafkaConnection.to(broker.bootstrapServers()),
                         List.of(Topics.TOPOLOGY), true)) {
                Map<String, Long> seen = new HashMap<>();
                awaitRevisions(bus, clusters, 1, seen, Duration.ofMinutes(3));
                System.out.printf("%d clusters applied (revision 1)%n", clusters);

                long[] saved = new long[clusters];
                for (int i = 0; i < clusters; i++) {
                    saved[i] = System.nanoTime();
                    save(folder, i, "b");
                }
                double saving = (System.nanoTime() - saved[0]) / 1e9;
                seen.clear();
                awaitRevisions(bus, clusters, 2, seen, Duration.ofMinutes(3));
                double[] ms = new double[clusters];
                long last = 0;
                for (int i = 0; i < clusters; i++) {
                    long at = seen.get(name(i));
                    ms[i] = (at - saved[i]) / 1e6;
                    last = Math.max(last, at);
                }
                Arrays.sort(ms);
                System.out.printf("%d files rewritten in %.2f s; the last fan-out readable %.2f s after the first save%n",
                        clusters, saving, (last - saved[0]) / 1e9);
                System.out.printf("save -> fan-out readable, per cluster: p50 %.0f ms   p90 %.0f ms   p99 %.0f ms   "
                        + "max %.0f ms%n", pct(ms, 50), pct(ms, 90), pct(ms, 99), ms[ms.length - 1]);
            }
        }
    }

    /** Reads the topology until every cluster has {@code revision}, noting when each was first seen. */
    private static void awaitRevisions(BusReader bus, int clusters, long revision, Map<String, Long> seen,
                                       Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen.size() < clusters) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(seen.size() + " of " + clusters + " clusters reached revision "
                        + revision + " in " + timeout);
            }
            for (BusReader.Read r : bus.poll(Duration.ofMillis(50))) {
                if (r.valid() && r.event().data() instanceof TopologyApplied t && t.revision() == revision) {
                    seen.putIfAbsent(t.cluster(), System.nanoTime());
                }
            }
        }
    }

    private static String name(int i) {
        return "bench-" + i;
    }

    private static double pct(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static void save(Path folder, int i, String main) throws IOException {
        Path tmp = folder.resolve("." + name(i) + ".yaml.tmp");
        Files.writeString(tmp, """
                apiVersion: stowage.io/v1alpha1
                kind: BackupConfig
                metadata:
                  name: %s
                spec:
                  postgres: {host: 127.0.0.1, port: 5432, user: postgres}
                  pitr: {enabled: true}
                  storages:
                    a:
                      main: %s
                      type: filesystem
                      filesystem: {path: /srv/bench/%s/a}
                    b:
                      main: %s
                      type: filesystem
                      filesystem: {path: /srv/bench/%s/b}
                """.formatted(name(i), main.equals("a"), name(i), main.equals("b"), name(i)));
        Files.move(tmp, folder.resolve(name(i) + ".yaml"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    private ConfigFanOutManyBenchmark() {
    }
}
