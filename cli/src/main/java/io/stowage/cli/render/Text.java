package io.stowage.cli.render;

/** Small text helpers for what comes off the bus and goes to a terminal. */
public final class Text {
    private static final int SHORT_ID = 8;

    private Text() {
    }

    /** Control characters become {@code ?}: data from the bus must not move the cursor or recolour the terminal. */
    public static String clean(String s) {
        return s == null ? null : s.replaceAll("\\p{Cntrl}", "?");
    }

    /** The first 8 characters of an id, enough to tell correlations apart on a screen. */
    public static String shortId(String id) {
        if (id == null || id.isBlank()) {
            return "-";
        }
        return id.length() <= SHORT_ID ? id : id.substring(0, SHORT_ID);
    }

    /** A byte count in binary units: {@code 291.0 MiB}. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** A duration as people say it: {@code 850 ms}, {@code 3.2 s}, {@code 4m 05s}, {@code 6h}, {@code 1h 30m}. */
    public static String duration(java.time.Duration d) {
        long millis = Math.max(0, d.toMillis());
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return millis % 1000 == 0 ? millis / 1000 + " s"
                    : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long seconds = millis / 1000;
        long hours = seconds / 3600;
        long minutes = seconds % 3600 / 60;
        long rest = seconds % 60;
        if (hours > 0) {
            return hours + "h" + (minutes == 0 ? "" : String.format(java.util.Locale.ROOT, " %02dm", minutes));
        }
        return minutes + "m" + (rest == 0 ? "" : String.format(java.util.Locale.ROOT, " %02ds", rest));
    }

    /** {@code io.stowage.storage.changed.v1} reads {@code storage.changed}; other versions keep their suffix. */
    public static String shortType(String type) {
        if (type == null || type.isBlank()) {
            return "?";
        }
        String t = type.startsWith("io.stowage.") ? type.substring("io.stowage.".length()) : type;
        return t.endsWith(".v1") ? t.substring(0, t.length() - 3) : t;
    }
}
