package io.stowage.bench;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEvents;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.data.WalArchived;
import io.stowage.localstack.KafkaBroker;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.TopicSetup;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Catalog facts handled per second by resync-service: {@code wal.archived.v1} for many clusters published as fast
 * as a producer goes, to N instances started and settled beforehand (each with -Xmx256m), timed from the first fact
 * sent to the catalog holding every segment (read_committed). Real broker, packaged resync-service, one machine.
 */
public final class ResyncFactsBenchmark {

    public static void main(String[] args) throws Exception {
        int instances = Integer.parseInt(args[0]);
        int clusters = Integer.parseInt(args[1]);
        int segments = Integer.parseInt(args[2]);
        Path jar = Path.of(args[3]);
        int partitions = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        Path work = Files.createTempDirectory("stowage-bench-facts");
        int facts = clusters * segments;
        System.out.printf("%d instance(s), %d clusters x %d segments = %d facts, %d partitions; work dir %s%n",
                instances, clusters, segments, facts, partitions, work);
        try (KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"), 0)) {
            TopicSetup.ensureTopics(broker.bootstrapServers(), partitions);
            List<ServiceProcess> services = new ArrayList<>();
            try {
                for (int i = 0; i < instances; i++) {
                    services.add(new ServiceProcess(jar, Map.of(
                            "kafka.bootstrap.servers", broker.bootstrapServers(),
                            "stowage.instance-id", "bench-" + i), work.resolve("resync-" + i + ".log")).start());
                }
                // The group settles (joins, assignment, the catalog caught up) before the first fact.
                Thread.sleep(15_000);
                List<HeapSampler> heaps = new ArrayList<>();
                services.forEach(s -> heaps.add(new HeapSampler(s, 1000))); // each sample is a metrics scrape: not too often
                Map<String, Object> config = KafkaConnection.to(broker.bootstrapServers()).producer("bench-facts");
                config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
                long start = System.nanoTime();
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                        new ByteArraySerializer())) {
                    for (int s = 1; s <= segments; s++) {
                        for (int c = 0; c < clusters; c++) {
                            producer.send(KafkaEvents.toRecord(Envelope.root("/bench", new WalArchived("bench-" + c,
                                    "local", "00000001", String.format("0000000100000000%08X", s), 16777216L,
                                    null))));
                        }
                    }
                }
                double sent = (System.nanoTime() - start) / 1e9;
                double done = awaitCatalog(broker.bootstrapServers(), clusters, segments, start);
                System.out.printf("sent in %.2f s; every segment in the catalog %.2f s after the first was sent: "
                        + "%.0f facts a second%n", sent, done, facts / done);
                for (int i = 0; i < heaps.size(); i++) {
                    System.out.printf("instance %d heap (-Xmx256m): at most %d MiB used, %d MiB live after GC%n", i,
                            heaps.get(i).maxHeapBytes() >> 20, heaps.get(i).maxLiveBytes() >> 20);
                    heaps.get(i).close();
                }
            } finally {
                services.forEach(ServiceProcess::close);
            }
        }
    }

    /** Reads the catalog until every cluster's WAL entry counts every segment; the seconds since {@code start}. */
    private static double awaitCatalog(String bootstrap, int clusters, int segments, long start) {
        Map<String, Long> counted = new HashMap<>();
        long complete = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        try (BusReader catalog = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.CATALOG), true)) {
            while (complete < clusters) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(complete + " of " + clusters + " clusters complete in 10 min");
                }
                for (BusReader.Read r : catalog.poll(Duration.ofMillis(100))) {
                    if (r.valid() && r.event().data() instanceof CatalogWal w) {
                        Long before = counted.put(w.cluster(), (long) w.segments());
                        if (w.segments() == segments && (before == null || before != segments)) {
                            complete++;
                        }
                    }
                }
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private ResyncFactsBenchmark() {
    }
}
