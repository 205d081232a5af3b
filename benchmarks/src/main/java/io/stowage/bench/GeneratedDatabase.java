package io.stowage.bench;

import com.github.luben.zstd.ZstdOutputStream;
import io.stowage.localstack.PostgresCluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The benchmarks' database: pgbench plus random md5 text (pgbench's blank-padded rows alone would compress far better
 * than real data), frozen and checkpointed, scaled from the reference size. The base-backup and restore benchmarks
 * generate it alike, so their figures are of the same data.
 */
final class GeneratedDatabase {
    /** The reference size: pgbench scale 50 plus 4 million rows of md5 text is about 1.3 GB. */
    static final double REFERENCE_GB = 1.3;
    private static final int REFERENCE_SCALE = 50;
    private static final int REFERENCE_ROWS = 4_000_000;

    private GeneratedDatabase() {
    }

    /** Fills the cluster's {@code postgres} database to about {@code gb} GB and prints what it made. */
    static void generate(PostgresCluster pg, double gb) throws IOException {
        int scale = Math.max(1, (int) Math.round(REFERENCE_SCALE * gb / REFERENCE_GB));
        int rows = Math.max(1000, (int) Math.round(REFERENCE_ROWS * gb / REFERENCE_GB));
        System.out.printf("%ngenerating: pgbench -i -s %d, then %,d rows of random md5 text (%s)...%n", scale, rows,
                PostgresCluster.SAMPLE_TABLE);
        long t0 = System.nanoTime();
        pg.pgbench("-i", "-s", String.valueOf(scale), "-q");
        long t1 = System.nanoTime();
        pg.createSampleData(rows);
        long t2 = System.nanoTime();
        pg.psql("vacuum (freeze, analyze); checkpoint;");
        long t3 = System.nanoTime();
        System.out.printf("  pgbench -i %.0f s, md5 rows %.0f s, vacuum freeze + checkpoint %.0f s%n", (t1 - t0) / 1e9,
                (t2 - t1) / 1e9, (t3 - t2) / 1e9);
        String[] f = pg.psql("select pg_database_size('postgres'), (select sum(pg_database_size(oid)) from pg_database),"
                + " pg_total_relation_size('pgbench_accounts'), pg_total_relation_size('"
                + PostgresCluster.SAMPLE_TABLE + "')").split("\\|");
        System.out.printf("  database 'postgres': %s (pg_database_size); all databases %s; pgbench_accounts %s,"
                        + " %s %s (with indexes)%n", mb(Long.parseLong(f[0])), mb(Long.parseLong(f[1])),
                mb(Long.parseLong(f[2])), PostgresCluster.SAMPLE_TABLE, mb(Long.parseLong(f[3])));
        for (String table : List.of("pgbench_accounts", PostgresCluster.SAMPLE_TABLE)) {
            long[] z = zstdOfTable(pg, table);
            System.out.printf("  zstd level 1 on %s's heap files: %s -> %s, ratio %.2f%n", table, mb(z[0]), mb(z[1]),
                    z[0] / (double) z[1]);
        }
    }

    /** Raw and zstd-1 compressed bytes of a table's main fork (all its segments), read from the data directory. */
    private static long[] zstdOfTable(PostgresCluster pg, String table) throws IOException {
        Path first = pg.dataDirectory().resolve(pg.psql("select pg_relation_filepath('" + table + "')"));
        String name = first.getFileName().toString();
        List<Path> segments;
        try (Stream<Path> files = Files.list(first.getParent())) {
            segments = files.filter(p -> p.getFileName().toString().matches(name + "(\\.\\d+)?"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString().length())).toList();
        }
        long[] counted = {0};
        OutputStream counter = new OutputStream() {
            @Override
            public void write(int b) {
                counted[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                counted[0] += len;
            }
        };
        long raw = 0;
        byte[] buffer = new byte[1 << 20];
        try (ZstdOutputStream zstd = new ZstdOutputStream(counter, 1)) {
            for (Path segment : segments) {
                try (InputStream in = Files.newInputStream(segment)) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        zstd.write(buffer, 0, n);
                        raw += n;
                    }
                }
            }
        }
        return new long[] {raw, counted[0]};
    }

    static String mb(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
