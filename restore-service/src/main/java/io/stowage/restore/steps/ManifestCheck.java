package io.stowage.restore.steps;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.stowage.events.EventJson;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;

/**
 * Compares the files a base backup unpacked to with its backup_manifest's checksums, from the CRC-32C each file got
 * as it was written: pg_verifybackup's checksum pass without reading the copy a second time. The rest of what
 * pg_verifybackup checks (every listed file there and no other, sizes, the manifest's own checksum, the WAL) stays
 * with pg_verifybackup, run with --skip-checksums when this check covered every file.
 */
final class ManifestCheck {
    private static final String CRC32C = "CRC32C";

    /** A file as unpacked: its size and CRC-32C. */
    record Unpacked(long size, int crc32c) {
    }

    /**
     * What was checked: {@code complete} when every file the manifest lists was compared (all CRC-32C, none missing),
     * else {@code why} says what was left to pg_verifybackup.
     */
    record Result(int checked, boolean complete, String why) {
    }

    private ManifestCheck() {
    }

    /**
     * Reads backup_manifest as a stream (its size grows with the number of files) and compares each file's checksum.
     *
     * @throws IOException naming the file, when a file's size or checksum differs from what the manifest lists
     */
    static Result check(Path manifest, Map<String, Unpacked> unpacked) throws IOException {
        int checked = 0;
        String why = null;
        try (JsonParser p = EventJson.MAPPER.getFactory().createParser(manifest.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("backup_manifest is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("Files")) {
                    p.skipChildren();
                    continue;
                }
                if (p.currentToken() != JsonToken.START_ARRAY) {
                    throw new IOException("backup_manifest's Files is not a list");
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    Map<?, ?> entry = EventJson.MAPPER.readValue(p, Map.class);
                    String left = compare(entry, unpacked);
                    if (left == null) {
                        checked++;
                    } else if (why == null) {
                        why = left;
                    }
                }
            }
        }
        return new Result(checked, why == null, why);
    }

    /** Null when the file's checksum matched; what stops the comparison otherwise. Throws on a mismatch. */
    private static String compare(Map<?, ?> entry, Map<String, Unpacked> unpacked) throws IOException {
        Object path = entry.get("Path");
        if (!(path instanceof String name)) {
            return "a file's path is hex-encoded (Encoded-Path)";
        }
        if (!CRC32C.equals(entry.get("Checksum-Algorithm"))) {
            return name + " has checksum algorithm " + entry.get("Checksum-Algorithm");
        }
        Unpacked file = unpacked.get(name);
        if (file == null) {
            return name + " is not in the archive";
        }
        if (!(entry.get("Size") instanceof Number listed)) {
            return name + " has no size in backup_manifest";
        }
        long size = listed.longValue();
        if (file.size() != size) {
            throw new IOException(name + " unpacked to " + file.size() + " bytes, backup_manifest says " + size);
        }
        String actual = hex(file.crc32c());
        if (!actual.equalsIgnoreCase(String.valueOf(entry.get("Checksum")))) {
            throw new IOException(name + " unpacked with CRC-32C " + actual + ", backup_manifest says "
                    + entry.get("Checksum"));
        }
        return null;
    }

    /** PostgreSQL writes a CRC-32C into the manifest as its four bytes in memory order: little-endian. */
    static String hex(int crc32c) {
        return HexFormat.of().formatHex(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(crc32c).array());
    }
}
