package io.stowage.cli.render;

import java.time.Duration;
import java.util.Locale;

/**
 * One line that says how far a long operation is:
 * {@code [#############.................]  45%  1.2 GiB of ~2.7 GiB  85.0 MiB/s  ~18 s left}. Sizes in the units
 * {@code events tail} prints them in, so the two agree on the same backup.
 */
public final class ProgressBar {
    static final int WIDTH = 30;

    private ProgressBar() {
    }

    /**
     * A running operation. The total is an estimate: the bar stops at 99% until {@link #complete} draws the end, so
     * it never claims to be done while it is not.
     *
     * @param total          the estimated total, or 0 or less when unknown (then only the bytes done are shown)
     * @param bytesPerSecond the recent rate, or 0 or less when unknown
     */
    public static String line(long done, long total, long bytesPerSecond) {
        StringBuilder s = new StringBuilder();
        if (total > 0) {
            int percent = (int) Math.min(99, Math.floor(100.0 * Math.max(0, done) / total));
            s.append(bar(percent)).append(String.format(Locale.ROOT, "  %3d%%  ", percent))
                    .append(Text.bytes(done)).append(" of ~").append(Text.bytes(total));
        } else {
            s.append(bar(0)).append("  ").append(Text.bytes(done));
        }
        if (bytesPerSecond > 0) {
            s.append("  ").append(Text.bytes(bytesPerSecond)).append("/s");
            if (total > done) {
                long secondsLeft = (long) Math.ceil((double) (total - done) / bytesPerSecond);
                s.append("  ~").append(Text.duration(Duration.ofSeconds(secondsLeft))).append(" left");
            }
        }
        return s.toString();
    }

    /** The finished operation: a full bar and the real total. */
    public static String complete(long total) {
        return bar(100) + "  100%  " + Text.bytes(total);
    }

    private static String bar(int percent) {
        int filled = Math.max(0, Math.min(WIDTH, percent * WIDTH / 100));
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "]";
    }
}
