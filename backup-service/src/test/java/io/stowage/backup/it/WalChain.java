package io.stowage.backup.it;

import com.github.luben.zstd.ZstdInputStream;
import io.stowage.backup.wal.ClusterArchiver;
import io.stowage.localstack.PostgresCluster;
import io.stowage.postgres.WalSegments;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** WAL segments as a restore would read them back: names in a range, decompressed, checked with pg_waldump. */
final class WalChain {
    static final long SEGMENT_SIZE = 16L << 20;

    private WalChain() {
    }

    /** Every segment name from {@code first} to {@code last}, both included, on timeline 1. */
    static List<String> range(String first, String last) {
        List<String> names = new ArrayList<>();
        for (long lsn = WalSegments.startOf(first, SEGMENT_SIZE); lsn <= WalSegments.startOf(last, SEGMENT_SIZE);
             lsn += SEGMENT_SIZE) {
            names.add(WalSegments.segmentName(1, lsn, SEGMENT_SIZE));
        }
        return names;
    }

    /** Waits for the archiver's slot; returns the segment it starts from. */
    static String awaitSlot(PostgresCluster pg, String cluster) {
        String slot = ClusterArchiver.slotName(cluster);
        await().atMost(Duration.ofSeconds(60)).until(() -> !pg.psql(
                "select slot_name from pg_replication_slots where slot_name = '" + slot + "'").isEmpty());
        return slotStart(pg, slot);
    }

    /** The segment the slot starts at: the archiver streams from there. */
    static String slotStart(PostgresCluster pg, String slot) {
        String lsn = pg.psql("select restart_lsn from pg_replication_slots where slot_name = '" + slot + "'");
        return WalSegments.segmentName(1, WalSegments.parseLsn(lsn), SEGMENT_SIZE);
    }

    /** Ends the current segment; returns the last complete one. */
    static String switchWal(PostgresCluster pg) {
        long end = WalSegments.parseLsn(pg.psql("select pg_switch_wal()"));
        return WalSegments.segmentName(1, end - 1, SEGMENT_SIZE);
    }

    static void decompress(InputStream zst, Path target) throws IOException {
        try (InputStream in = new ZstdInputStream(zst)) {
            Files.copy(in, target);
        }
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs PostgreSQL's pg_waldump over the segments in {@code dir} from {@code first} to {@code last}: it reads every
     * record across segment boundaries and fails on a missing or damaged segment. Returns its exit code and output.
     */
    static String waldump(PostgresCluster pg, Path dir, String first, String last) throws IOException,
            InterruptedException {
        Path out = Files.createTempFile("waldump", ".txt");
        Process p = new ProcessBuilder(pg.binDirectory().resolve("pg_waldump").toString(), "--stats", "-p",
                dir.toString(), first, last).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("pg_waldump did not finish");
        }
        return "exit " + p.exitValue() + "\n" + Files.readString(out);
    }
}
