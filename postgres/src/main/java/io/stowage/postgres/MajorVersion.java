package io.stowage.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalInt;

/**
 * PostgreSQL's major version (15, 16, ...), as a running server or a data directory tells it: the programs of that
 * version are the ones that work with it. Majors before 10 had two numbers (9.6); they count by their first.
 */
public final class MajorVersion {
    private MajorVersion() {
    }

    /**
     * The major of the server {@code connection} reaches ({@code SHOW server_version_num}: 150008 is 15), or empty
     * when the server cannot be asked: whatever runs next reports why in its own words.
     */
    public static OptionalInt ofServer(ServerConnection connection) {
        try (Connection c = connection.open(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW server_version_num")) {
            return rs.next() ? ofVersionNumber(rs.getString(1)) : OptionalInt.empty();
        } catch (SQLException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * The major that made a data directory (its {@code PG_VERSION} file: {@code 15}), or empty when it has none or
     * this process may not read it.
     */
    public static OptionalInt ofDataDirectory(Path dataDirectory) {
        try {
            return parse(Files.readString(dataDirectory.resolve("PG_VERSION"), StandardCharsets.US_ASCII));
        } catch (IOException | SecurityException e) {
            return OptionalInt.empty();
        }
    }

    /** {@code server_version_num} as the server prints it: {@code 150008} is 15, {@code 90624} is 9 (9.6). */
    static OptionalInt ofVersionNumber(String versionNumber) {
        try {
            return OptionalInt.of(Integer.parseInt(versionNumber.strip()) / 10_000);
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** A version as PG_VERSION and the installation folders name it: {@code 15}, or {@code 9.6} (9). */
    static OptionalInt parse(String version) {
        String v = version.strip();
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        boolean whole = end == v.length() || v.charAt(end) == '.';
        return end == 0 || end > 4 || !whole ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(v.substring(0, end)));
    }
}
