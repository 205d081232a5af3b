package io.stowage.storage.s3;

import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.localstack.SharedS3;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.NoSuchObjectException;
import io.stowage.storage.ObjectExistsException;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.RandomContent;
import io.stowage.storage.StorageException;
import io.stowage.storage.StorageLayout;
import io.stowage.storage.StorageTuning;
import io.stowage.storage.Storages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** S3Storage against a real S3 API server (S3Proxy over HTTP). */
class S3StorageIT {

    private static final int MIB = 1024 * 1024;
    private static final StorageTuning SMALL_PARTS = StorageTuning.DEFAULTS.withPartSize(5 * MIB).withRangeSize(5 * MIB)
            .withParallelism(4);

    @TempDir
    Path dir;

    private S3Fixture s3;
    private BackupStorage storage;

    @BeforeEach
    void open() {
        s3 = new S3Fixture(SharedS3.http(), dir);
        storage = s3.open("pg1", "s3-main", SMALL_PARTS);
    }

    @AfterEach
    void close() {
        storage.close();
        s3.close();
    }

    @Test
    void aHundredMebibytesGoUpInParallelPartsAndComeBackByParallelRanges() throws IOException {
        long size = 100L * MIB + 777;
        String key = StorageLayout.baseArchive("b1");
        String written;
        try (ObjectUpload upload = storage.upload(key)) {
            written = RandomContent.write(upload, size, 100);
            upload.complete();
        }

        assertThat(storage.stat(key)).get().extracting(ObjectInfo::size).isEqualTo(size);
        // A multipart object's ETag ends with its part count: 21 parts of 5 MiB.
        assertThat(s3.raw.headObject(r -> r.bucket(s3.bucket).key("stowage/pg1/" + key)).eTag()).endsWith("-21\"");
        assertThat(openMultipartUploads()).isEmpty();
        assertThat(RandomContent.sha256Of(storage.download(key))).isEqualTo(written);
    }

    @Test
    void aSourceThatFailsMidwayLeavesNoObjectAndNoOpenMultipartUpload() {
        String key = StorageLayout.baseArchive("b1");
        assertThatThrownBy(() -> {
            try (ObjectUpload upload = storage.upload(key);
                    InputStream source = RandomContent.failingAfter(23L * MIB, 5)) {
                source.transferTo(upload);
                upload.complete();
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("the source broke");

        assertThat(openMultipartUploads()).isEmpty();
        assertThat(s3.raw.listObjectsV2(r -> r.bucket(s3.bucket)).contents()).isEmpty();
    }

    @Test
    void anExplicitAbortLeavesNothing() throws IOException {
        ObjectUpload upload = storage.upload("backups/b1/16384.tar.zst");
        RandomContent.write(upload, 12L * MIB, 6);
        assertThat(openMultipartUploads()).hasSize(1);

        upload.abort();

        assertThat(openMultipartUploads()).isEmpty();
        assertThat(storage.stat("backups/b1/16384.tar.zst")).isEmpty();
        assertThatThrownBy(() -> upload.write(new byte[10])).isInstanceOf(StorageException.class);
    }

    @Test
    void uploadsLeftOpenByACrashAreDiscardedUnderTheirFolderOnly() throws IOException {
        // A process killed mid-upload never aborts: its multipart upload stays open until someone discards it.
        ObjectUpload crashed = storage.upload(StorageLayout.baseArchive("b1"));
        RandomContent.write(crashed, 12L * MIB, 6);
        ObjectUpload other = storage.upload(StorageLayout.baseArchive("b2"));
        RandomContent.write(other, 12L * MIB, 7);
        assertThat(openMultipartUploads()).hasSize(2);

        assertThat(storage.discardIncomplete(StorageLayout.backupFolder("b1"))).isEqualTo(1);

        assertThat(openMultipartUploads()).singleElement().asString().contains("backups/b2/");
        other.abort();
    }

    @Test
    void twoRunsWritingOneNewObjectCannotReplaceEachOther() throws IOException {
        // What S3 offers (If-None-Match: * on CompleteMultipartUpload and PutObject), S3Proxy answers too.
        String key = StorageLayout.baseArchive("b1");
        String first;
        ObjectUpload a = storage.uploadNew(key, "run-a");
        try (a; ObjectUpload b = storage.uploadNew(key, "run-b");
             ObjectUpload small = storage.uploadNew(key, "run-c")) {
            first = RandomContent.write(a, 12L * MIB, 1);
            RandomContent.write(b, 11L * MIB, 2);
            RandomContent.write(small, MIB, 3);
            assertThat(openMultipartUploads()).hasSize(2);

            a.complete();
            assertThatThrownBy(b::complete).isInstanceOf(ObjectExistsException.class);
            assertThatThrownBy(small::complete).isInstanceOf(ObjectExistsException.class);
        }
        assertThat(RandomContent.sha256Of(storage.download(key))).isEqualTo(first);
        assertThat(storage.stat(key).orElseThrow().version()).isEqualTo(a.version());
        assertThat(openMultipartUploads()).isEmpty();
    }

    @Test
    void aSmallObjectWrittenIfAbsentNeverReplacesOneAndAVersionIsDeletedOnlyWhileThere() throws IOException {
        String key = StorageLayout.manifest("b1");
        assertThat(storage.writeSmallIfAbsent(key, "first".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(storage.writeSmallIfAbsent(key, "second".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(storage.readSmall(key)).asString().isEqualTo("first");

        String firstVersion = storage.stat(key).orElseThrow().version();
        storage.writeSmall(key, "replaced".getBytes(StandardCharsets.UTF_8));
        assertThat(storage.deleteVersion(key, firstVersion)).isFalse();
        assertThat(storage.readSmall(key)).asString().isEqualTo("replaced");
        assertThat(storage.deleteVersion(key, storage.stat(key).orElseThrow().version())).isTrue();
        assertThat(storage.stat(key)).isEmpty();
    }

    @Test
    void onlyUploadsNobodyWritesToAreAbandoned() throws IOException {
        ObjectUpload crashed = storage.uploadNew(StorageLayout.baseArchive("b1"), "run-a");
        RandomContent.write(crashed, 6L * MIB, 6);
        assertThat(openMultipartUploads()).hasSize(1);

        assertThat(storage.discardAbandoned(StorageLayout.backupFolder("b1"), Duration.ofMinutes(10))).isZero();
        assertThat(openMultipartUploads()).hasSize(1);
        // Its newest part is older than a second soon (S3 gives part times to the second).
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                storage.discardAbandoned(StorageLayout.backupFolder("b1"), Duration.ofSeconds(1)) == 1);
        assertThat(openMultipartUploads()).isEmpty();
        crashed.abort();
    }

    @Test
    void anObjectSmallerThanAPartIsOnePut() throws IOException {
        String written;
        try (ObjectUpload upload = storage.upload("wal/00000001/000000010000000000000001.zst")) {
            written = RandomContent.write(upload, 3 * MIB, 8);
            assertThat(openMultipartUploads()).isEmpty();
            upload.complete();
        }
        assertThat(RandomContent.sha256Of(storage.download("wal/00000001/000000010000000000000001.zst")))
                .isEqualTo(written);
        assertThat(s3.raw.headObject(r -> r.bucket(s3.bucket).key("stowage/pg1/wal/00000001/000000010000000000000001.zst"))
                .eTag()).doesNotContain("-");
    }

    @Test
    void exactlyOnePartAndEmptyObjectsRoundTrip() throws IOException {
        String written;
        try (ObjectUpload upload = storage.upload("one-part")) {
            written = RandomContent.write(upload, 5L * MIB, 9);
            upload.complete();
        }
        assertThat(RandomContent.sha256Of(storage.download("one-part"))).isEqualTo(written);

        try (ObjectUpload upload = storage.upload("empty")) {
            upload.complete();
        }
        assertThat(storage.stat("empty")).get().extracting(ObjectInfo::size).isEqualTo(0L);
        try (InputStream in = storage.download("empty")) {
            assertThat(in.readAllBytes()).isEmpty();
        }
        assertThat(storage.readSmall("empty")).isEmpty();
    }

    @Test
    void smallObjectsStatAndDelete() throws IOException {
        storage.writeSmall("backups/b1/stowage.json", "{\"v\":1}".getBytes(StandardCharsets.UTF_8));
        storage.writeSmall("backups/b1/stowage.json", "{\"v\":2}".getBytes(StandardCharsets.UTF_8));

        assertThat(storage.readSmall("backups/b1/stowage.json")).asString().isEqualTo("{\"v\":2}");
        ObjectInfo info = storage.stat("backups/b1/stowage.json").orElseThrow();
        assertThat(info.size()).isEqualTo(7);
        assertThat(info.lastModified()).isNotNull();

        storage.delete("backups/b1/stowage.json");
        storage.delete("backups/b1/stowage.json");
        assertThat(storage.stat("backups/b1/stowage.json")).isEmpty();
        assertThatThrownBy(() -> storage.readSmall("backups/b1/stowage.json"))
                .isInstanceOf(NoSuchObjectException.class).hasMessageContaining("storage 's3-main'");
        assertThatThrownBy(() -> storage.download("backups/b1/base.tar.zst"))
                .isInstanceOf(NoSuchObjectException.class).hasMessageContaining("backups/b1/base.tar.zst");
    }

    @Test
    void deletingManyKeysGoesInBatchesOfAThousandAndLeavesEverythingElse() throws IOException {
        try (BackupStorage neighbour = s3.open("pg10", "s3-main", SMALL_PARTS)) {
            neighbour.writeSmall("wal/00000001/000000010000000000000001.zst", new byte[1]);
            List<String> doomed = new ArrayList<>();
            for (int i = 0; i < 2_503; i++) {
                doomed.add(StorageLayout.walSegment("00000001%016X".formatted(i)));
            }
            // Written in parallel through the raw client: 2,503 objects, three batches and a part.
            doomed.parallelStream().forEach(k -> s3.raw.putObject(r -> r.bucket(s3.bucket).key("stowage/pg1/" + k),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[1])));
            storage.writeSmall(StorageLayout.manifest("kept"), new byte[1]);

            List<String> asked = new ArrayList<>(doomed);
            asked.add("wal/00000001/00000001000000FF00000000.zst"); // never there: not an error
            assertThat(storage.deleteAll(asked.iterator())).isEqualTo(2_504);

            try (Stream<ObjectInfo> left = storage.list("")) {
                assertThat(left.map(ObjectInfo::key)).containsExactly(StorageLayout.manifest("kept"));
            }
            try (Stream<ObjectInfo> left = neighbour.list("")) {
                assertThat(left.count()).isEqualTo(1);
            }
            assertThat(storage.deleteAll(java.util.Collections.emptyIterator())).isZero();
        }
    }

    @Test
    void listingPagesThroughMoreKeysThanOnePageAndStaysInsideThePrefix() throws IOException {
        try (BackupStorage paged = s3.open("pg1", "s3-main", SMALL_PARTS.withListPageSize(7));
                BackupStorage neighbour = s3.open("pg10", "s3-main", SMALL_PARTS)) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String key = StorageLayout.manifest("b%02d".formatted(i));
                paged.writeSmall(key, new byte[i]);
                expected.add(key);
            }
            paged.writeSmall(StorageLayout.timelineHistory(2), new byte[1]);
            neighbour.writeSmall(StorageLayout.manifest("b00"), new byte[1]);

            // The server really pages: 7 keys, then a continuation token.
            assertThat(s3.raw.listObjectsV2(r -> r.bucket(s3.bucket).prefix("stowage/pg1/").maxKeys(7)).isTruncated())
                    .isTrue();
            try (Stream<ObjectInfo> listing = paged.list(StorageLayout.BACKUPS)) {
                List<ObjectInfo> all = listing.toList();
                assertThat(all).extracting(ObjectInfo::key).containsExactlyElementsOf(expected);
                assertThat(all).extracting(ObjectInfo::size).containsExactlyElementsOf(
                        IntStream.range(0, 30).mapToObj(i -> (long) i).toList());
            }
            try (Stream<ObjectInfo> listing = paged.list("")) {
                assertThat(listing.count()).isEqualTo(31);
            }
            try (Stream<ObjectInfo> listing = neighbour.list("")) {
                assertThat(listing.map(ObjectInfo::key)).containsExactly("backups/b00/stowage.json");
            }
        }
    }

    @Test
    void listingAMissingBucketIsAnErrorNotAnEmptyStorage() {
        StorageSpec spec = s3.spec(null, null, null);
        StorageSpec gone = new StorageSpec(true, StorageType.S3, new S3Spec(s3.bucket + "-gone", null,
                spec.s3().endpointUrl(), null, true, S3Fixture.CREDENTIALS, null, null), null);
        try (BackupStorage missing = Storages.open("pg1", "s3-gone", gone, s3.secrets())) {
            Throwable thrown = catchThrowable(() -> {
                try (Stream<ObjectInfo> listing = missing.list(StorageLayout.BACKUPS)) {
                    listing.count();
                }
            });
            // The interface's two ways to fail: from list() itself, or while the stream is read.
            Throwable failure = thrown instanceof UncheckedIOException unchecked ? unchecked.getCause() : thrown;
            assertThat(failure).isInstanceOf(StorageException.class).hasMessageContaining("storage 's3-gone'")
                    .hasMessageContaining("bucket '" + s3.bucket + "-gone' does not exist");
        }
    }

    @Test
    void aDownloadClosedEarlyLeavesTheStorageUsable() throws IOException {
        try (ObjectUpload upload = storage.upload("big")) {
            RandomContent.write(upload, 31L * MIB, 10);
            upload.complete();
        }
        for (int i = 0; i < 3; i++) {
            try (InputStream in = storage.download("big")) {
                assertThat(in.readNBytes(7 * MIB)).hasSize(7 * MIB);
            }
        }
        try (InputStream in = storage.download("big")) {
            assertThat(in.transferTo(OutputSink.INSTANCE)).isEqualTo(31L * MIB);
        }
    }

    @Test
    void anObjectReplacedDuringADownloadFailsTheRead() throws IOException {
        try (BackupStorage oneAhead = s3.open("pg1", "s3-main", SMALL_PARTS.withParallelism(1))) {
            try (ObjectUpload upload = oneAhead.upload("moving")) {
                RandomContent.write(upload, 30L * MIB, 11);
                upload.complete();
            }
            try (InputStream in = oneAhead.download("moving")) {
                assertThat(in.read()).isNotNegative();
                oneAhead.writeSmall("moving", new byte[] {1, 2, 3});
                assertThatThrownBy(() -> in.transferTo(OutputSink.INSTANCE))
                        .isInstanceOf(StorageException.class)
                        .hasMessageContaining("the object changed while it was being read");
            }
        }
    }

    @Test
    void concurrentTransfersShareTheStoragesThreadsWithoutStalling() throws IOException {
        // Fewer threads than parts in flight across transfers: queued parts must still all get their turn.
        try (BackupStorage narrow = s3.open("pg1", "s3-main", SMALL_PARTS.withParallelism(2).withThreads(2))) {
            try (ObjectUpload upload = narrow.upload("existing")) {
                RandomContent.write(upload, 16L * MIB, 20);
                upload.complete();
            }
            String existing = RandomContent.sha256Of(narrow.download("existing"));
            List<CompletableFuture<String>> uploads = IntStream.range(0, 3).mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                try (ObjectUpload upload = narrow.upload("backups/b1/" + (16384 + i) + ".tar.zst")) {
                    String sha = RandomContent.write(upload, 17L * MIB, 30 + i);
                    upload.complete();
                    return sha;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            })).toList();
            CompletableFuture<String> download = CompletableFuture.supplyAsync(() -> {
                try {
                    return RandomContent.sha256Of(narrow.download("existing"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            assertThat(download).succeedsWithin(Duration.ofMinutes(1)).isEqualTo(existing);
            for (int i = 0; i < 3; i++) {
                String sha = uploads.get(i).get(1, TimeUnit.MINUTES);
                assertThat(RandomContent.sha256Of(narrow.download("backups/b1/" + (16384 + i) + ".tar.zst")))
                        .isEqualTo(sha);
            }
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError(e);
        }
        assertThat(openMultipartUploads()).isEmpty();
    }

    private List<String> openMultipartUploads() {
        return s3.raw.listMultipartUploads(r -> r.bucket(s3.bucket)).uploads().stream()
                .map(u -> u.key() + " " + u.uploadId()).toList();
    }

    /** Discards what it is given. */
    private static final class OutputSink extends java.io.OutputStream {
        static final OutputSink INSTANCE = new OutputSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
