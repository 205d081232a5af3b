package io.stowage.cli.render;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Left-aligned columns separated by two spaces, as {@code kubectl get} prints them. */
public final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    public Table(String... headers) {
        this.columns = headers.length;
        rows.add(headers);
    }

    public Table row(String... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("expected " + columns + " cells, got " + Arrays.toString(cells));
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "" : Text.clean(c)).toArray(String[]::new));
        return this;
    }

    public List<String> lines() {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(c == columns - 1 ? row[c] : pad(row[c], widths[c] + 2));
            }
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }

    /** The lines without the header row, for label-value lists whose headers would say nothing. */
    public List<String> bodyLines() {
        List<String> all = lines();
        return all.subList(1, all.size());
    }

    static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
