package io.stowage.restore.steps;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checksum pass done while unpacking: a tar as pg_basebackup writes it, then its backup_manifest compared. */
class ManifestCheckTest {
    private static final String PG_VERSION = "15\n";
    /** What PostgreSQL 15's backup_manifest lists for a PG_VERSION file holding "15\n". */
    private static final String PG_VERSION_CRC = "8a744722";
    private static final byte[] PAGE = new byte[8192];

    @TempDir
    Path dir;

    @Test
    void aCrc32cIsWrittenAsPostgresWritesIt_itsBytesLittleEndian() {
        CRC32C crc = new CRC32C();
        crc.update(PG_VERSION.getBytes(StandardCharsets.US_ASCII));
        assertThat(ManifestCheck.hex((int) crc.getValue())).isEqualTo(PG_VERSION_CRC);
    }

    @Test
    void everyFileMatchingItsListedChecksum_isACompleteCheck() throws IOException {
        Map<String, byte[]> files = files();
        TarExtractor.Extracted x = unpack(files, manifest(files, Map.of()));

        ManifestCheck.Result r = ManifestCheck.check(dir.resolve("backup_manifest"), x.unpacked());

        assertThat(r.complete()).isTrue();
        assertThat(r.checked()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("PG_VERSION"))).isEqualTo(PG_VERSION);
    }

    @Test
    void aFileWhoseBytesDifferFromTheManifest_failsNamingTheFile() throws IOException {
        Map<String, byte[]> files = files();
        TarExtractor.Extracted x = unpack(files, manifest(files, Map.of("base/1/1259", "\"0badc0de\"")));

        assertThatThrownBy(() -> ManifestCheck.check(dir.resolve("backup_manifest"), x.unpacked()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("base/1/1259")
                .hasMessageContaining("backup_manifest says 0badc0de");
    }

    @Test
    void aChecksumOfAnotherAlgorithm_isLeftToPgVerifybackup() throws IOException {
        Map<String, byte[]> files = files();
        String manifest = manifest(files, Map.of()).replaceFirst("\"CRC32C\"", "\"SHA256\"");
        TarExtractor.Extracted x = unpack(files, manifest);

        ManifestCheck.Result r = ManifestCheck.check(dir.resolve("backup_manifest"), x.unpacked());

        assertThat(r.complete()).isFalse();
        assertThat(r.why()).contains("SHA256");
    }

    @Test
    void aListedFileTheArchiveLacks_isLeftToPgVerifybackup() throws IOException {
        Map<String, byte[]> files = files();
        String manifest = manifest(files, Map.of());
        files.remove("base/1/1259");
        TarExtractor.Extracted x = unpack(files, manifest);

        ManifestCheck.Result r = ManifestCheck.check(dir.resolve("backup_manifest"), x.unpacked());

        assertThat(r.complete()).isFalse();
        assertThat(r.why()).contains("base/1/1259 is not in the archive");
    }

    private static Map<String, byte[]> files() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("PG_VERSION", PG_VERSION.getBytes(StandardCharsets.US_ASCII));
        byte[] page = PAGE.clone();
        page[100] = 42;
        files.put("base/1/1259", page);
        return files;
    }

    /** A backup_manifest in PostgreSQL's layout, with some checksums replaced. */
    private static String manifest(Map<String, byte[]> files, Map<String, String> checksums) {
        StringBuilder m = new StringBuilder("{ \"PostgreSQL-Backup-Manifest-Version\": 1,\n\"Files\": [\n");
        String sep = "";
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            CRC32C crc = new CRC32C();
            crc.update(f.getValue());
            String checksum = checksums.getOrDefault(f.getKey(), "\"" + ManifestCheck.hex((int) crc.getValue()) + "\"");
            m.append(sep).append("{ \"Path\": \"").append(f.getKey()).append("\", \"Size\": ")
                    .append(f.getValue().length).append(", \"Last-Modified\": \"2026-12-02 01:32:25 GMT\", ")
                    .append("\"Checksum-Algorithm\": \"CRC32C\", \"Checksum\": ").append(checksum).append(" }");
            sep = ",\n";
        }
        m.append("\n],\n\"WAL-Ranges\": [\n{ \"Timeline\": 1, \"Start-LSN\": \"0/2000028\", \"End-LSN\": \"0/2000100\" }\n],\n")
                .append("\"Manifest-Checksum\": \"00\"}\n");
        return m.toString();
    }

    /** A tar of the files with backup_manifest last, as pg_basebackup streams it, unpacked into the folder. */
    private TarExtractor.Extracted unpack(Map<String, byte[]> files, String manifest) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            Map<String, byte[]> all = new LinkedHashMap<>(files);
            all.put("backup_manifest", manifest.getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, byte[]> f : all.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(f.getValue().length);
                e.setMode(0600);
                tar.putArchiveEntry(e);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        }
        return TarExtractor.extract(new ByteArrayInputStream(bytes.toByteArray()), dir);
    }
}
