package io.stowage.resync.retention;

import io.stowage.bus.BusUnavailable;
import io.stowage.events.Envelope;
import io.stowage.events.data.BackupDeleteRequested;
import io.stowage.events.data.BackupRemoved;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.CatalogEvent;
import io.stowage.events.data.CatalogWal;
import io.stowage.events.data.ResyncEvent;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RetentionCompleted;
import io.stowage.events.data.RetentionRequested;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.data.WalRemoved;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.RetentionSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.resync.catalog.Catalog;
import io.stowage.resync.scan.CatalogDiff;
import io.stowage.resync.scan.StorageFill;
import io.stowage.resync.service.CatalogKeeper;
import io.stowage.resync.service.CatalogWrites;
import io.stowage.resync.service.Resyncs;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.SecretsFolder;
import io.stowage.storage.StorageException;
import io.stowage.storage.StorageLayout;
import io.stowage.storage.Storages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Expiry against real filesystem storages and the catalog keeper, with the bus replaced by a record of what would be
 * written: the right backups and WAL go, manifest first, the catalog follows, an interrupted expiry is finished by the
 * next, a backup a running restore uses stays until it ends.
 */
class ExpiryTest {
    static final Instant NOW = RetentionPlanTest.NOW;

    @TempDir
    Path dir;

    final Catalog catalog = new Catalog();
    final List<Envelope<?>> published = new CopyOnWriteArrayList<>();
    final List<String> tombstones = new CopyOnWriteArrayList<>();
    CatalogKeeper keeper;
    final List<Envelope<?>> restoresEnded = new ArrayList<>();
    RunningRestores restores;
    Map<String, StorageSpec> storages;
    /** Fails the n-th deleteAll (counted from 1) of any storage opened while set; 0: never. */
    final AtomicInteger failDeleteAt = new AtomicInteger();
    /** How many publishes of events alone fail next, as with the broker out of reach. */
    final AtomicInteger failPublishes = new AtomicInteger();
    final AtomicInteger deletes = new AtomicInteger();

    @BeforeEach
    void setUp() {
        keeper = new CatalogKeeper(catalog, new CatalogWrites() {
            @Override
            public Map<String, Landed> upsert(Envelope<?> cause, List<? extends CatalogEvent> entries) {
                entries.forEach(e -> published.add(Envelope.causedBy(cause, "test", e)));
                return Map.of();
            }

            @Override
            public Map<String, Landed> apply(CatalogDiff diff, List<Envelope<? extends ResyncEvent>> outcomes, Envelope<?> cause) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Map<String, Landed> commit(List<? extends CatalogEvent> upserts, List<String> removed,
                                              List<Envelope<?>> events, Envelope<?> cause) {
                upserts.forEach(e -> published.add(Envelope.causedBy(cause, "test", e)));
                tombstones.addAll(removed);
                published.addAll(events);
                return Map.of();
            }

            @Override
            public void publish(List<? extends Envelope<?>> events) {
                if (failPublishes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new BusUnavailable("the broker did not take the events in time", null);
                }
                published.addAll(events);
            }
        });
        restores = new RunningRestores(Duration.ofMinutes(10), Instant::now, restoresEnded::add);
        storages = new LinkedHashMap<>();
        storages.put("local", new StorageSpec(true, StorageType.FILESYSTEM, null,
                new FilesystemSpec(dir.resolve("local").toString(), null), new RetentionSpec(5, null)));
        storages.put("copy", new StorageSpec(false, StorageType.FILESYSTEM, null,
                new FilesystemSpec(dir.resolve("copy").toString(), null), new RetentionSpec(3, null)));
    }

    @AfterEach
    void tearDown() {
        keeper.close();
    }

    TopologyApplied topology() {
        return new TopologyApplied("pg1", 1, "local", List.of("copy"), new BackupConfigSpec(null, null, storages),
                false, "test");
    }

    Expiry expiry() {
        Resyncs.StorageSource source = (topology, name) -> failing(Storages.open("pg1", name,
                topology.spec().storages().get(name), new SecretsFolder(dir.resolve("secrets"))));
        return new Expiry(keeper, c -> c.equals("pg1") ? java.util.Optional.of(topology()) : java.util.Optional.empty(),
                source, restores, Duration.ofHours(24), () -> NOW, "test");
    }

    /** The storage, whose deleteAll fails when {@link #failDeleteAt} says so. */
    BackupStorage failing(BackupStorage real) {
        return (BackupStorage) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{BackupStorage.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("deleteAll") && deletes.incrementAndGet() == failDeleteAt.get()) {
                        throw new StorageException("storage '" + real.name() + "': disk on fire");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    BackupStorage open(String name) {
        return Storages.open("pg1", name, storages.get(name), new SecretsFolder(dir.resolve("secrets")));
    }

    /** Eight backups on each storage (files and catalog), and WAL segments 0x10..0x8F on the main. */
    void eightBackupsAndWal() throws IOException {
        for (String name : List.of("local", "copy")) {
            try (BackupStorage s = open(name)) {
                for (int i = 1; i <= 8; i++) {
                    StorageFill.backup(s, "pg1", "b" + i, 10);
                    catalog.put(RetentionPlanTest.backup(name, i));
                }
            }
        }
        try (BackupStorage s = open("local")) {
            for (int n = 0x10; n <= 0x8F; n++) {
                StorageFill.segments(s, String.format("00000001%016X", n));
            }
        }
        catalog.put(new CatalogWal("pg1", "local", "00000001",
                List.of(new CatalogWal.SegmentRange("000000010000000000000010", "00000001000000000000008F")), 128,
                false));
    }

    Envelope<RetentionRequested> request() {
        return Envelope.root("test", new RetentionRequested("pg1", "test"));
    }

    List<String> backupFolders(String storage) throws IOException {
        Path backups = dir.resolve(storage).resolve("stowage/pg1/backups");
        try (Stream<Path> folders = Files.list(backups)) {
            return folders.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    <T> List<T> events(Class<T> type) {
        return published.stream().map(Envelope::data).filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void eachStorageKeepsItsNewestAndTheWalStartsAtTheOldestBackupKeptAnywhere() throws Exception {
        eightBackupsAndWal();

        Expiry.Outcome outcome = expiry().apply("pg1", request());

        assertThat(backupFolders("local")).containsExactly("b4", "b5", "b6", "b7", "b8");
        assertThat(backupFolders("copy")).containsExactly("b6", "b7", "b8");
        assertThat(outcome.backupsRemoved()).isEqualTo(3 + 5);
        // b4 on the main is the oldest kept anywhere: it starts in segment 0x40.
        Path wal = dir.resolve("local/stowage/pg1/wal/00000001");
        try (Stream<Path> files = Files.list(wal)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().findFirst())
                    .contains("000000010000000000000040.zst");
        }
        assertThat(outcome.segmentsRemoved()).isEqualTo(0x30);
        assertThat(catalog.wal("pg1", "local", "00000001").orElseThrow().ranges()).containsExactly(
                new CatalogWal.SegmentRange("000000010000000000000040", "00000001000000000000008F"));
        assertThat(catalog.wal("pg1", "local", "00000001").orElseThrow().segments()).isEqualTo(0x50);
        assertThat(catalog.ofStorage("pg1", "copy")).containsOnlyKeys(
                CatalogBackup.key("pg1", "copy", "b6"), CatalogBackup.key("pg1", "copy", "b7"),
                CatalogBackup.key("pg1", "copy", "b8"));
        assertThat(tombstones).contains(CatalogBackup.key("pg1", "local", "b1"), CatalogBackup.key("pg1", "copy", "b5"));
        // Each removed backup said so, after it was marked EXPIRING; each with its 2 files.
        assertThat(events(BackupRemoved.class)).hasSize(8).allSatisfy(r -> {
            assertThat(r.objects()).isEqualTo(2);
            assertThat(r.trigger()).isEqualTo(BackupRemoved.RETENTION);
        });
        assertThat(events(CatalogBackup.class)).hasSize(8)
                .allSatisfy(b -> assertThat(b.status()).isEqualTo(CatalogBackup.EXPIRING));
        assertThat(events(WalRemoved.class)).singleElement().satisfies(w -> {
            assertThat(w.first()).isEqualTo("000000010000000000000010");
            assertThat(w.last()).isEqualTo("00000001000000000000003F");
            assertThat(w.reason()).contains("b4", "local");
        });

        // Applied again, it has nothing more to do.
        published.clear();
        assertThat(expiry().apply("pg1", request()).nothing()).isTrue();
        assertThat(published).isEmpty();
    }

    @Test
    void anExpiryKilledMidwayListsNothingCompleteThatIsNotAndTheNextFinishesIt() throws Exception {
        eightBackupsAndWal();
        // The copy (first in name order) fails after its manifests went, before the rest of its files.
        failDeleteAt.set(2);

        assertThatThrownBy(() -> expiry().apply("pg1", request())).hasMessageContaining("disk on fire");

        for (int i = 1; i <= 5; i++) {
            CatalogBackup b = (CatalogBackup) catalog.get(CatalogBackup.key("pg1", "copy", "b" + i)).orElseThrow();
            assertThat(b.status()).isEqualTo(CatalogBackup.EXPIRING);
            assertThat(dir.resolve("copy/stowage/pg1/backups/b" + i + "/stowage.json")).doesNotExist();
            assertThat(dir.resolve("copy/stowage/pg1/backups/b" + i + "/base.tar.zst")).exists();
        }
        // The other storage went on.
        assertThat(backupFolders("local")).containsExactly("b4", "b5", "b6", "b7", "b8");
        // A resync meanwhile keeps them EXPIRING, not INCOMPLETE: the next expiry knows them.
        CatalogDiff diff = CatalogDiff.between(catalog.ofStorage("pg1", "copy"), Map.of(
                CatalogBackup.key("pg1", "copy", "b1"), new CatalogBackup("pg1", "copy", "b1", CatalogBackup.INCOMPLETE,
                        "no stowage.json", null, null, null, null, null, null, null, null)));
        assertThat(diff.upserts()).isEmpty();

        failDeleteAt.set(0);
        Expiry.Outcome next = expiry().apply("pg1", request());

        assertThat(next.backupsRemoved()).isEqualTo(5);
        assertThat(backupFolders("copy")).containsExactly("b6", "b7", "b8");
        assertThat(catalog.ofStorage("pg1", "copy")).hasSize(3);
    }

    @Test
    void aBackupARunningRestoreUsesStaysUntilTheRestoreHasEnded() throws Exception {
        eightBackupsAndWal();
        Envelope<RestoreStarted> started = Envelope.root("test", new RestoreStarted("pg1", "r1", "b2", "copy"));
        restores.apply(started);

        Expiry.Outcome outcome = expiry().apply("pg1", request());

        assertThat(outcome.heldForRestores()).isEqualTo(1);
        assertThat(backupFolders("copy")).containsExactly("b2", "b6", "b7", "b8");
        // b2 is kept: the WAL from its start stays too.
        assertThat(catalog.wal("pg1", "local", "00000001").orElseThrow().ranges().get(0).first())
                .isEqualTo("000000010000000000000020");

        restores.apply(Envelope.causedBy(started, "test",
                new RestoreCompleted("pg1", "r1", "b2", "copy", "/data", "/data.old")));
        assertThat(restoresEnded).hasSize(1);
        expiry().apply("pg1", request());

        assertThat(backupFolders("copy")).containsExactly("b6", "b7", "b8");
        assertThat(catalog.wal("pg1", "local", "00000001").orElseThrow().ranges().get(0).first())
                .isEqualTo("000000010000000000000040");
    }

    @Test
    void withoutRetentionNothingIsRemovedButAnAbandonedIncompleteBackupIs() throws Exception {
        storages.replaceAll((name, s) -> new StorageSpec(s.main(), s.type(), null, s.filesystem(), null));
        eightBackupsAndWal();
        try (BackupStorage s = open("copy")) {
            StorageFill.object(s, StorageLayout.baseArchive("old-partial"), 10);
            StorageFill.object(s, StorageLayout.baseArchive("fresh-partial"), 10);
        }
        Files.setLastModifiedTime(dir.resolve("copy/stowage/pg1/backups/old-partial/base.tar.zst"),
                FileTime.from(NOW.minus(Duration.ofHours(25))));
        Files.setLastModifiedTime(dir.resolve("copy/stowage/pg1/backups/fresh-partial/base.tar.zst"),
                FileTime.from(NOW.minus(Duration.ofHours(23))));
        for (String id : List.of("old-partial", "fresh-partial")) {
            catalog.put(new CatalogBackup("pg1", "copy", id, CatalogBackup.INCOMPLETE, "no stowage.json", null, null,
                    null, null, null, null, null, null));
        }

        Expiry.Outcome outcome = expiry().apply("pg1", request());

        assertThat(outcome.backupsRemoved()).isEqualTo(1);
        assertThat(outcome.segmentsRemoved()).isZero();
        assertThat(backupFolders("copy")).contains("fresh-partial").doesNotContain("old-partial").hasSize(9);
        assertThat(backupFolders("local")).hasSize(8);
        // Its one file, and no manifest it never had.
        assertThat(events(BackupRemoved.class)).singleElement().satisfies(r -> {
            assertThat(r.reason()).contains("incomplete", "no stowage.json");
            assertThat(r.objects()).isEqualTo(1);
        });
    }

    @Test
    void anOutcomeTheBrokerDidNotTakeIsPublishedOnceItIsBackAndOnlyThenTheRequestAcknowledged() throws Exception {
        eightBackupsAndWal();
        failPublishes.set(2);
        AtomicInteger acknowledged = new AtomicInteger();
        try (Expiries expiries = new Expiries(expiry(), keeper, "test", true)) {
            expiries.requested("pg1", request(), acknowledged::incrementAndGet);

            await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.get() == 1);
        }
        assertThat(failPublishes).hasValue(0);
        assertThat(events(RetentionCompleted.class)).singleElement()
                .satisfies(c -> assertThat(c.backupsRemoved()).isEqualTo(8));
        assertThat(backupFolders("copy")).containsExactly("b6", "b7", "b8");
    }

    @Test
    void segmentKeysAreMadeAcrossALogIdBoundary() {
        Iterator<String> keys = Expiry.segmentKeys("0000000200000003000000FE", "000000020000000400000001");
        List<String> all = new ArrayList<>();
        keys.forEachRemaining(all::add);
        assertThat(all).containsExactly("wal/00000002/0000000200000003000000FE.zst",
                "wal/00000002/0000000200000003000000FF.zst", "wal/00000002/000000020000000400000000.zst",
                "wal/00000002/000000020000000400000001.zst");
    }

    @Test
    void aDeleteRequestRemovesOneBackupEverywhereAndRefusesWhatARestoreUsesOrTheLastOne() throws Exception {
        storages.replaceAll((name, sp) -> new StorageSpec(sp.main(), sp.type(), null, sp.filesystem(), null));
        eightBackupsAndWal();
        Expiry expiry = expiry();

        assertThat(expiry.delete(new BackupDeleteRequested("pg1", "b3", null, null, "test"), request(), Set.of()))
                .containsExactly("copy", "local");
        assertThat(backupFolders("local")).doesNotContain("b3").hasSize(7);
        assertThat(backupFolders("copy")).doesNotContain("b3").hasSize(7);
        assertThat(events(BackupRemoved.class)).hasSize(2)
                .allSatisfy(r -> assertThat(r.trigger()).isEqualTo(BackupRemoved.REQUEST));
        // WAL is retention's: a delete leaves it.
        assertThat(events(WalRemoved.class)).isEmpty();
        // The same request delivered again (a kill before its offset was committed) is done, and says nothing more.
        int before = published.size();
        assertThat(expiry.delete(new BackupDeleteRequested("pg1", "b3", null, null, "test"), request(),
                Set.of("copy", "local"))).isEmpty();
        assertThat(published).hasSize(before);

        restores.apply(Envelope.root("test", new RestoreStarted("pg1", "r1", "b4", "local")));
        assertThatThrownBy(() -> expiry.delete(new BackupDeleteRequested("pg1", "b4", "local", true, null), request(), Set.of()))
                .isInstanceOf(Expiry.Refused.class).hasMessageContaining("a running restore uses backup b4");
        assertThatThrownBy(() -> expiry.delete(new BackupDeleteRequested("pg1", "b3", "local", null, null), request(), Set.of()))
                .isInstanceOf(Expiry.Refused.class).hasMessageContaining("not in the catalog of storage 'local'");

        for (int i : List.of(1, 2, 4, 5, 6, 7)) {
            expiry.delete(new BackupDeleteRequested("pg1", "b" + i, "copy", null, null), request(), Set.of());
        }
        assertThatThrownBy(() -> expiry.delete(new BackupDeleteRequested("pg1", "b8", "copy", null, null), request(), Set.of()))
                .isInstanceOf(Expiry.Refused.class).hasMessageContaining("the only complete backup on storage 'copy'");
        assertThat(backupFolders("copy")).containsExactly("b8");
        expiry.delete(new BackupDeleteRequested("pg1", "b8", "copy", true, null), request(), Set.of());
        assertThat(backupFolders("copy")).isEmpty();
    }
}
