package io.stowage.backup.pipeline;

import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.filesystem.FilesystemStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelFanOutTest {
    @TempDir
    Path dir;

    @Test
    void everyStorageGetsTheSameBytesAndTheChecksumIsOfThem() throws Exception {
        FilesystemStorage a = storage("a");
        FilesystemStorage b = storage("b");
        byte[] data = new byte[5 * ParallelFanOut.CHUNK + 12345];
        new Random(7).nextBytes(data);
        Map<String, ObjectUpload> uploads = new LinkedHashMap<>();
        uploads.put("a", a.upload("backups/x/base.tar.zst"));
        uploads.put("b", b.upload("backups/x/base.tar.zst"));

        ParallelFanOut out = new ParallelFanOut(uploads);
        for (int off = 0; off < data.length; off += 77_777) {
            out.write(data, off, Math.min(77_777, data.length - off));
        }
        out.close();
        for (ObjectUpload u : uploads.values()) {
            u.complete();
        }

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        assertThat(out.sha256Hex()).isEqualTo(expected);
        assertThat(out.bytes()).isEqualTo(data.length);
        for (FilesystemStorage s : new FilesystemStorage[] {a, b}) {
            assertThat(s.readSmall("backups/x/base.tar.zst")).isEqualTo(data);
        }
    }

    @Test
    void aStorageThatFailsFailsTheStreamNamingIt() throws Exception {
        Map<String, ObjectUpload> uploads = new LinkedHashMap<>();
        uploads.put("good", storage("good").upload("k"));
        uploads.put("full", new FailingUpload("k", 3 * ParallelFanOut.CHUNK));
        ParallelFanOut out = new ParallelFanOut(uploads);

        assertThatThrownBy(() -> {
            byte[] chunk = new byte[ParallelFanOut.CHUNK];
            for (int i = 0; i < 64; i++) {
                out.write(chunk);
            }
            out.close();
        }).isInstanceOf(IOException.class).hasMessageContaining("full").hasMessageContaining("no space left");
        out.cancel();
    }

    private FilesystemStorage storage(String name) throws IOException {
        Path root = Files.createDirectories(dir.resolve(name));
        return new FilesystemStorage(name, new StorageSpec(false, StorageType.FILESYSTEM, null,
                new FilesystemSpec(root.toString(), "p")).location("pg1"));
    }

    /** A storage that refuses after some bytes, as a full disk or a failing S3 endpoint does. */
    private static final class FailingUpload extends ObjectUpload {
        private final long limit;
        private long written;

        FailingUpload(String key, long limit) {
            super(key);
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            written += len;
            if (written > limit) {
                throw new IOException("no space left on device");
            }
        }

        @Override
        public long bytesWritten() {
            return written;
        }

        @Override
        public void complete() {
        }

        @Override
        public void abort() {
        }

        @Override
        public boolean isCompleted() {
            return false;
        }
    }
}
