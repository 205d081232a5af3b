package io.stowage.bench;

import java.util.Map;
import java.util.TreeMap;

/** config-service's apply timer as Prometheus cumulative buckets (upper bound in seconds -> count). */
record ApplyHistogram(TreeMap<Double, Long> buckets) {
    private static final String BUCKET = "stowage_config_apply_seconds_bucket{le=\"";

    static ApplyHistogram parse(String metrics) {
        TreeMap<Double, Long> buckets = new TreeMap<>();
        metrics.lines().filter(l -> l.startsWith(BUCKET)).forEach(l -> {
            String le = l.substring(BUCKET.length(), l.indexOf('"', BUCKET.length()));
            double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
            buckets.put(bound, (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)));
        });
        if (buckets.isEmpty()) {
            throw new IllegalStateException("no stowage_config_apply_seconds histogram in the metrics");
        }
        return new ApplyHistogram(buckets);
    }

    /** The applies recorded since {@code earlier}. */
    ApplyHistogram minus(ApplyHistogram earlier) {
        TreeMap<Double, Long> delta = new TreeMap<>();
        for (Map.Entry<Double, Long> e : buckets.entrySet()) {
            delta.put(e.getKey(), e.getValue() - earlier.buckets.getOrDefault(e.getKey(), 0L));
        }
        return new ApplyHistogram(delta);
    }

    long count() {
        return buckets.lastEntry().getValue();
    }

    /** The upper bound (ms) of the first bucket holding at least p% of the applies. */
    double percentileMillis(double p) {
        long needed = (long) Math.ceil(p / 100.0 * count());
        for (Map.Entry<Double, Long> e : buckets.entrySet()) {
            if (e.getValue() >= needed) {
                return e.getKey() * 1000;
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
