package io.stowage.cli.restore;

import java.nio.charset.Charset;

/**
 * How a restore step's status (and a side note) is marked at the start of its line. A terminal that cannot show {@code ✓} (Java 17
 * writes with the locale's charset; under the C locale that is ASCII) gets plain marks rather than {@code ?}.
 */
public record StepMarks(String started, String completed, String skipped, String note) {
    public static final StepMarks UNICODE = new StepMarks("…", "✓", "↷", "·");
    public static final StepMarks ASCII = new StepMarks("..", "ok", "--", "-");

    /** The marks {@code charset} can write. */
    public static StepMarks forCharset(Charset charset) {
        return charset.newEncoder().canEncode(UNICODE.started + UNICODE.completed + UNICODE.skipped + UNICODE.note) ? UNICODE : ASCII;
    }
}
