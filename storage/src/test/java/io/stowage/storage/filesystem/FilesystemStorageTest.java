package io.stowage.storage.filesystem;

import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.NoSuchObjectException;
import io.stowage.storage.ObjectExistsException;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.RandomContent;
import io.stowage.storage.SecretsFolder;
import io.stowage.storage.StorageException;
import io.stowage.storage.StorageLayout;
import io.stowage.storage.Storages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilesystemStorageTest {

    @TempDir
    Path dir;

    private BackupStorage storage;
    private Path root;

    @BeforeEach
    void open() {
        storage = Storages.open("pg1", "local", new StorageSpec(true, StorageType.FILESYSTEM, null,
                new FilesystemSpec(dir.toString(), null)), new SecretsFolder(dir.resolve("secrets")));
        root = dir.resolve("stowage/pg1");
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void deletingManyKeysRemovesTheFilesAndTheFoldersItEmptiesOnly() throws IOException {
        for (String id : List.of("b1", "b2")) {
            storage.writeSmall(StorageLayout.baseArchive(id), bytes("tar"));
            storage.writeSmall(StorageLayout.manifest(id), bytes("{}"));
        }
        storage.writeSmall(StorageLayout.walSegment("000000010000000000000001"), bytes("w"));
        storage.writeSmall(StorageLayout.walSegment("000000010000000000000002"), bytes("w"));
        storage.writeSmall(StorageLayout.timelineHistory(2), bytes("h"));

        long given = storage.deleteAll(List.of(StorageLayout.manifest("b1"), StorageLayout.baseArchive("b1"),
                StorageLayout.walSegment("000000010000000000000001"), StorageLayout.walSegment("000000010000000000000002"),
                StorageLayout.walSegment("000000010000000000000003")).iterator());

        assertThat(given).isEqualTo(5);
        assertThat(root.resolve("backups/b1")).doesNotExist();
        assertThat(root.resolve("wal/00000001")).doesNotExist();
        assertThat(root.resolve("backups/b2/stowage.json")).exists();
        assertThat(root.resolve("wal/00000002/00000002.history")).exists();
        // The layout's top folders stay, empty or not.
        storage.deleteAll(List.of(StorageLayout.timelineHistory(2)).iterator());
        assertThat(root.resolve("wal")).isDirectory();
    }

    @Test
    void filesLandUnderPathAndTheDefaultPrefix() throws IOException {
        storage.writeSmall("backups/b1/stowage.json", bytes("{}"));

        assertThat(root.resolve("backups/b1/stowage.json")).hasContent("{}");
        assertThat(storage.location().prefix()).isEqualTo("stowage/pg1");
        assertThat(storage.describe()).isEqualTo("storage 'local' (file://" + root + ")");
        assertThat(((FilesystemStorage) storage).root()).isEqualTo(root);
    }

    @Test
    void partialFilesLeftByACrashAreDiscardedUnderTheirFolderOnly() throws IOException {
        storage.upload("backups/b1/base.tar.zst").write(bytes("crashed before complete"));
        storage.upload("backups/b2/base.tar.zst").write(bytes("still being written"));
        storage.writeSmall("backups/b1/stowage.json", bytes("{}"));

        assertThat(storage.discardIncomplete("backups/b1/")).isEqualTo(1);

        assertThat(root.resolve("backups/b1/.base.tar.zst.partial")).doesNotExist();
        assertThat(root.resolve("backups/b1/stowage.json")).exists();
        assertThat(root.resolve("backups/b2/.base.tar.zst.partial")).exists();
    }

    @Test
    void aConfiguredPrefixIsUsed() throws IOException {
        try (BackupStorage custom = Storages.open("pg1", "local", new StorageSpec(true, StorageType.FILESYSTEM, null,
                new FilesystemSpec(dir.toString(), "/team/pg1/")), new SecretsFolder(dir))) {
            custom.writeSmall("a", bytes("x"));
        }
        assertThat(dir.resolve("team/pg1/a")).hasContent("x");
    }

    @Test
    void aBigStreamWrittenInChunksReadsBackIdentical() throws IOException {
        long size = 40L * 1024 * 1024 + 12_345;
        String written;
        try (ObjectUpload upload = storage.upload(StorageLayout.baseArchive("b1"))) {
            written = RandomContent.write(upload, size, 42);
            assertThat(upload.bytesWritten()).isEqualTo(size);
            upload.complete();
            assertThat(upload.isCompleted()).isTrue();
        }

        assertThat(RandomContent.sha256Of(storage.download("backups/b1/base.tar.zst"))).isEqualTo(written);
        assertThat(storage.stat("backups/b1/base.tar.zst")).get().extracting(ObjectInfo::size).isEqualTo(size);
        assertThat(Files.list(root.resolve("backups/b1"))).extracting(p -> p.getFileName().toString())
                .containsExactly("base.tar.zst");
    }

    @Test
    void anEmptyObjectCanBeWrittenAndRead() throws IOException {
        try (ObjectUpload upload = storage.upload("empty")) {
            upload.complete();
        }
        assertThat(storage.readSmall("empty")).isEmpty();
        try (InputStream in = storage.download("empty")) {
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void anUploadInProgressIsNeverVisibleUnderItsFinalName() throws IOException {
        storage.writeSmall("backups/b1/base.tar.zst", bytes("previous"));
        try (ObjectUpload upload = storage.upload("backups/b1/base.tar.zst")) {
            RandomContent.write(upload, 3_000_000, 7);

            assertThat(storage.readSmall("backups/b1/base.tar.zst")).asString().isEqualTo("previous");
            assertThat(storage.stat("backups/b1/base.tar.zst")).get().extracting(ObjectInfo::size).isEqualTo(8L);
            assertThat(keys(storage.list(""))).containsExactly("backups/b1/base.tar.zst");
            assertThat(root.resolve("backups/b1/.base.tar.zst.partial")).exists();

            upload.complete();
        }
        assertThat(storage.stat("backups/b1/base.tar.zst")).get().extracting(ObjectInfo::size).isEqualTo(3_000_000L);
        assertThat(root.resolve("backups/b1/.base.tar.zst.partial")).doesNotExist();
    }

    @Test
    void twoRunsWritingOneNewObjectKeepApartAndTheFirstToCompleteKeepsIt() throws IOException {
        String key = "backups/b1/base.tar.zst";
        try (ObjectUpload first = storage.uploadNew(key, "run-a"); ObjectUpload second = storage.uploadNew(key, "run-b")) {
            String firstContent = RandomContent.write(first, 3_000_000, 1);
            RandomContent.write(second, 2_000_000, 2);
            assertThat(root.resolve("backups/b1/.base.tar.zst.run-a.partial")).exists();
            assertThat(root.resolve("backups/b1/.base.tar.zst.run-b.partial")).exists();

            first.complete();
            assertThatThrownBy(second::complete).isInstanceOf(ObjectExistsException.class)
                    .hasMessageContaining("already exists");

            assertThat(RandomContent.sha256Of(storage.download(key))).isEqualTo(firstContent);
            assertThat(storage.stat(key)).get().extracting(ObjectInfo::version).isEqualTo(first.version());
        }
        try (Stream<Path> files = Files.list(root.resolve("backups/b1"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("base.tar.zst");
        }
    }

    @Test
    void onlyPartialFilesNobodyWritesToAreAbandoned() throws IOException {
        try (ObjectUpload gone = storage.uploadNew("backups/b1/base.tar.zst", "run-a");
             ObjectUpload writing = storage.uploadNew("backups/b1/base.tar.zst", "run-b")) {
            gone.write(bytes("its run was killed"));
            gone.flush();
            writing.write(bytes("still being written"));
            Path old = root.resolve("backups/b1/.base.tar.zst.run-a.partial");
            Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));

            assertThat(storage.discardAbandoned("backups/b1/", Duration.ofSeconds(30))).isEqualTo(1);

            assertThat(old).doesNotExist();
            assertThat(root.resolve("backups/b1/.base.tar.zst.run-b.partial")).exists();
            writing.complete();
        }
        assertThat(storage.readSmall("backups/b1/base.tar.zst")).asString().isEqualTo("still being written");
    }

    @Test
    void aVersionIsDeletedOnlyWhileItIsTheObjectThere() throws IOException {
        String key = "backups/b1/base.tar.zst";
        String replaced;
        try (ObjectUpload upload = storage.uploadNew(key, "run-a")) {
            upload.write(bytes("first"));
            upload.complete();
            replaced = upload.version();
        }
        storage.delete(key);
        storage.writeSmall(key, bytes("second"));

        assertThat(storage.deleteVersion(key, replaced)).isFalse();
        assertThat(storage.readSmall(key)).asString().isEqualTo("second");
        assertThat(storage.deleteVersion(key, storage.stat(key).orElseThrow().version())).isTrue();
        assertThat(storage.stat(key)).isEmpty();
    }

    @Test
    void aSmallObjectWrittenIfAbsentNeverReplacesOne() throws IOException {
        assertThat(storage.writeSmallIfAbsent("backups/b1/stowage.json", bytes("first"))).isTrue();
        assertThat(storage.writeSmallIfAbsent("backups/b1/stowage.json", bytes("second"))).isFalse();

        assertThat(storage.readSmall("backups/b1/stowage.json")).asString().isEqualTo("first");
        try (Stream<Path> files = Files.list(root.resolve("backups/b1"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("stowage.json");
        }
    }

    @Test
    void aNewObjectInProgressDoesNotExistYet() throws IOException {
        try (ObjectUpload upload = storage.upload("backups/b2/base.tar.zst")) {
            upload.write(bytes("partial content"));

            assertThat(storage.stat("backups/b2/base.tar.zst")).isEmpty();
            assertThatThrownBy(() -> storage.download("backups/b2/base.tar.zst")).isInstanceOf(NoSuchObjectException.class);
            assertThat(keys(storage.list("backups/"))).isEmpty();
            upload.abort();
        }
    }

    @Test
    void abortLeavesNothing() throws IOException {
        ObjectUpload upload = storage.upload("backups/b1/base.tar.zst");
        RandomContent.write(upload, 2_000_000, 1);
        upload.abort();
        upload.abort();

        assertThat(storage.stat("backups/b1/base.tar.zst")).isEmpty();
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
        assertThatThrownBy(() -> upload.write(1)).isInstanceOf(StorageException.class).hasMessageContaining("aborted");
        assertThatThrownBy(upload::complete).isInstanceOf(StorageException.class);
    }

    @Test
    void aSourceThatFailsMidwayLeavesNothing() throws IOException {
        assertThatThrownBy(() -> {
            try (ObjectUpload upload = storage.upload("backups/b1/base.tar.zst");
                    InputStream source = RandomContent.failingAfter(5_000_000, 3)) {
                source.transferTo(upload);
                upload.complete();
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("the source broke");

        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void listsInKeyOrderLikeS3() throws IOException {
        // '-' and '.' sort before '/', so "a-c" and "a.txt" come before everything in folder "a".
        for (String key : List.of("b/x", "a-c", "a/b", "a/a/z", "a.txt", "ab", "wal/00000001/000000010000000000000002.zst",
                "wal/00000001/000000010000000000000001.zst", "wal/00000001/00000001.history",
                "wal/00000002/000000020000000100000001.zst")) {
            storage.writeSmall(key, bytes(key));
        }
        // Another writer's upload in progress is not listed.
        Files.writeString(root.resolve("a/.c.partial"), "in progress");

        assertThat(keys(storage.list(""))).containsExactly("a-c", "a.txt", "a/a/z", "a/b", "ab", "b/x",
                "wal/00000001/00000001.history", "wal/00000001/000000010000000000000001.zst",
                "wal/00000001/000000010000000000000002.zst", "wal/00000002/000000020000000100000001.zst");
        assertThat(keys(storage.list("a/"))).containsExactly("a/a/z", "a/b");
        assertThat(keys(storage.list("a"))).containsExactly("a-c", "a.txt", "a/a/z", "a/b", "ab");
        assertThat(keys(storage.list("wal/00000001/0000000100"))).containsExactly(
                "wal/00000001/000000010000000000000001.zst", "wal/00000001/000000010000000000000002.zst");
        assertThat(keys(storage.list("nothing/here/"))).isEmpty();
        assertThat(keys(storage.list("a/b/"))).isEmpty();
    }

    @Test
    void listingIsLazyAndCarriesSizes() throws IOException {
        for (int i = 0; i < 50; i++) {
            storage.writeSmall("backups/b%02d/stowage.json".formatted(i), new byte[i]);
        }
        try (Stream<ObjectInfo> listing = storage.list(StorageLayout.BACKUPS)) {
            assertThat(listing.limit(3)).extracting(ObjectInfo::key, ObjectInfo::size).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("backups/b00/stowage.json", 0L),
                    org.assertj.core.groups.Tuple.tuple("backups/b01/stowage.json", 1L),
                    org.assertj.core.groups.Tuple.tuple("backups/b02/stowage.json", 2L));
        }
    }

    @Test
    void statGivesSizeAndLastModified() throws IOException {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        storage.writeSmall("x/y", bytes("12345"));

        ObjectInfo info = storage.stat("x/y").orElseThrow();
        assertThat(info.key()).isEqualTo("x/y");
        assertThat(info.size()).isEqualTo(5);
        assertThat(info.lastModified()).isAfterOrEqualTo(before);
        assertThat(storage.stat("x/z")).isEmpty();
        assertThat(storage.stat("x")).as("a folder is not an object").isEmpty();
    }

    @Test
    void deleteRemovesAnObjectAndIgnoresAMissingOne() throws IOException {
        storage.writeSmall("backups/b1/base.tar.zst", bytes("x"));
        storage.delete("backups/b1/base.tar.zst");
        storage.delete("backups/b1/base.tar.zst");

        assertThat(storage.stat("backups/b1/base.tar.zst")).isEmpty();
    }

    @Test
    void smallObjectsAreReplacedWhole() throws IOException {
        storage.writeSmall("backups/b1/stowage.json", bytes("{\"v\":1}"));
        storage.writeSmall("backups/b1/stowage.json", bytes("{\"v\":2}"));

        assertThat(storage.readSmall("backups/b1/stowage.json")).asString().isEqualTo("{\"v\":2}");
        assertThatThrownBy(() -> storage.readSmall("backups/b9/stowage.json"))
                .isInstanceOf(NoSuchObjectException.class)
                .hasMessageContaining("storage 'local'").hasMessageContaining("backups/b9/stowage.json");
    }

    @Test
    void keysThatCouldLeaveThePrefixAreRefused() {
        for (String bad : List.of("../pg2/x", "/x", "a//b", "a/./b", "a/", "", "a\\b")) {
            assertThatThrownBy(() -> storage.upload(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> storage.stat(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> storage.list("../")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.list("/")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checkAccessNamesAMissingFolder() throws IOException {
        storage.checkAccess();
        try (BackupStorage missing = Storages.open("pg1", "usb", new StorageSpec(null, StorageType.FILESYSTEM, null,
                new FilesystemSpec(dir.resolve("not-mounted").toString(), null)), new SecretsFolder(dir))) {
            assertThatThrownBy(missing::checkAccess).isInstanceOf(StorageException.class)
                    .hasMessageContaining("storage 'usb'").hasMessageContaining("does not exist");
        }
    }

    @Test
    void listingAStorageWhoseFolderIsMissingIsAnErrorNotAnEmptyStorage() throws IOException {
        Path mount = dir.resolve("mnt");
        try (BackupStorage unmounted = Storages.open("pg1", "usb", new StorageSpec(null, StorageType.FILESYSTEM, null,
                new FilesystemSpec(mount.toString(), null)), new SecretsFolder(dir))) {
            assertThatThrownBy(() -> keys(unmounted.list(StorageLayout.BACKUPS))).isInstanceOf(StorageException.class)
                    .hasMessageContaining("storage 'usb'").hasMessageContaining(mount + " does not exist");

            // The mount point is there, the cluster's folder is not: nothing written yet, or not mounted.
            Files.createDirectories(mount);
            assertThat(keys(unmounted.list(StorageLayout.BACKUPS))).isEmpty();
            assertThat(unmounted.prefixExists()).isFalse();
            unmounted.writeSmall(StorageLayout.manifest("b1"), bytes("{}"));
            assertThat(unmounted.prefixExists()).isTrue();
        }
    }

    private static List<String> keys(Stream<ObjectInfo> listing) {
        try (listing) {
            return listing.map(ObjectInfo::key).toList();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
