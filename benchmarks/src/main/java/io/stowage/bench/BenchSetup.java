package io.stowage.bench;

import io.stowage.localstack.S3ProxyServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/** What the benchmarks set up alike: the secrets folder the services read, and what they print about the machine. */
final class BenchSetup {
    private BenchSetup() {
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
