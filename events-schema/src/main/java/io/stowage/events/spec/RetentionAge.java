package io.stowage.events.spec;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A retention's {@code maxAge}: a whole number and a unit, m (minutes), h, d or w ({@code 30d}). */
public final class RetentionAge {
    private static final Pattern AGE = Pattern.compile("^([1-9][0-9]{0,5})(m|h|d|w)$");

    private RetentionAge() {
    }

    /** @throws IllegalArgumentException saying what is expected */
    public static Duration parse(String text) {
        Matcher m = text == null ? null : AGE.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an age: a whole number and m, h, d or w "
                    + "(90m, 12h, 30d, 2w)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }
}
