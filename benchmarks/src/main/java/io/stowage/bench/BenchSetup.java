package io.stowage.bench;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.bus.KafkaEventPublisher;
import io.stowage.bus.TransactionalPublisher;
import io.stowage.events.Envelope;
import io.stowage.events.Topics;
import io.stowage.events.data.ResyncFailed;
import io.stowage.events.data.RetentionFailed;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.TopologyApplied;
import io.stowage.localstack.S3ProxyServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/** What the benchmarks set up alike: the secrets folder the services read, and what they print about the machine. */
final class BenchSetup {
    static final String SOURCE = "/stowage/bench";
    private BenchSetup() {
    }

    /** A request's outcome and the seconds from publishing the request to reading the outcome. */
    record Answer(StowageEvent outcome, double seconds) {
    }

    /** Publishes a topology as config-service would: the applied topology resync-service follows. */
    static void publishTopology(String bootstrap, TopologyApplied topology) {
        try (TransactionalPublisher p = new TransactionalPublisher(KafkaConnection.to(bootstrap), "bench-topology")) {
            p.publishAtomically(List.of(Envelope.root(SOURCE, topology)), List.of());
        }
    }

    /**
     * Publishes a request to resync-service and waits for the event it caused on {@code stowage.resync}; a failure
     * outcome (resync, retention) is thrown with its reason.
     */
    static Answer requestResyncService(String bootstrap, StowageEvent data, Duration timeout) {
        Envelope<StowageEvent> request = Envelope.root(SOURCE, data);
        try (BusReader reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.RESYNC), false);
             KafkaEventPublisher publisher = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "bench")) {
            long t0 = System.nanoTime();
            publisher.publishAndWait(request);
            long deadline = t0 + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (BusReader.Read r : reader.poll(Duration.ofMillis(20))) {
                    if (r.valid() && request.id().equals(r.event().causationId())) {
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        StowageEvent outcome = r.event().data();
                        if (outcome instanceof ResyncFailed f) {
                            throw new IllegalStateException("resync failed: " + f.reason());
                        }
                        if (outcome instanceof RetentionFailed f) {
                            throw new IllegalStateException("retention failed: " + f.reason());
                        }
                        return new Answer(outcome, seconds);
                    }
                }
            }
        }
        throw new IllegalStateException("no outcome of " + data.getClass().getSimpleName() + " within " + timeout);
    }

    /** A secret {@code name} holding the S3Proxy's access keys, as services read them from their secrets folder. */
    static void s3Credentials(Path secrets, String name, S3ProxyServer s3) throws IOException {
        Path dir = Files.createDirectories(secrets.resolve(name));
        Files.writeString(dir.resolve("AWS_ACCESS_KEY_ID"), s3.accessKeyId());
        Files.writeString(dir.resolve("AWS_SECRET_ACCESS_KEY"), s3.secretAccessKey());
    }

    /** A secret {@code name} holding the CA bundle ({@code ca.crt}) that an HTTPS S3Proxy's certificate chains to. */
    static void caBundle(Path secrets, String name, S3ProxyServer s3) throws IOException {
        Path dir = Files.createDirectories(secrets.resolve(name));
        Files.writeString(dir.resolve("ca.crt"), Files.readString(s3.caCertificatePem()));
    }

    /** One line: cores, CPU model, memory, kernel and Java, for the figures to be read against. */
    static String machine(String javaFor) throws IOException {
        String model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        long memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", ""))).orElse(0L);
        return String.format("machine: %d cores (%s), %.1f GiB memory, Linux %s; Java %s (%s) for %s",
                Runtime.getRuntime().availableProcessors(), model, memKb / 1024.0 / 1024.0,
                System.getProperty("os.version"), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), javaFor);
    }

    /**
     * Ends a benchmark, whether it succeeded or not: the tails of the services' logs when it failed, then what it
     * started stopped, its work folder removed, and how long the whole run took.
     */
    static void finish(boolean ok, Collection<Path> logs, Runnable stop, Path work, long beganNanos) {
        if (!ok) {
            for (Path log : logs) {
                printTail(log, 40);
            }
        }
        stop.run();
        Commands.deleteTree(work);
        System.out.printf("%nwhole benchmark: %.0f s (work dir %s removed)%n", (System.nanoTime() - beganNanos) / 1e9,
                work);
    }

    /** The end of a service's log, printed when a benchmark fails. */
    private static void printTail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            System.out.println("--- last " + lines + " lines of " + log + ":");
            all.subList(Math.max(0, all.size() - lines), all.size()).forEach(System.out::println);
        } catch (IOException e) {
            System.out.println("(cannot read " + log + ": " + e.getMessage() + ")");
        }
    }
}
