package io.stowage.storage;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackupManifestTest {

    @Test
    void roundTripsAsStored() throws IOException {
        BackupManifest m = new BackupManifest(BackupManifest.FORMAT, "b1", "pg1", List.of("local", "s3"), "0/5000028",
                "0/5000138", "00000001", OffsetDateTime.parse("2026-11-22T03:00:00Z"),
                OffsetDateTime.parse("2026-11-22T03:00:06Z"), "7312345678901234567", "15.18", 1000, 900, "zstd",
                List.of(new BackupManifest.StoredObject("base.tar.zst", 300, "ab".repeat(32))), "req-1", "corr-1");

        assertThat(BackupManifest.parse(m.toJson())).isEqualTo(m);
        assertThat(new String(m.toJson(), StandardCharsets.UTF_8)).contains("\"format\" : \"stowage.backup.v1\"");
    }

    @Test
    void refusesWhatIsNotAManifest() {
        assertThatThrownBy(() -> BackupManifest.parse("{\"format\":\"other\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("not a stowage.backup.v1 manifest");
        assertThatThrownBy(() -> BackupManifest.parse("{not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
    }
}
