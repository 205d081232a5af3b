package io.stowage.config.it;

import io.stowage.bus.KafkaEventPublisher;

import io.stowage.bus.KafkaConnection;

import io.stowage.bus.BusReader;
import io.stowage.config.messaging.RestoreOverlayHeader;
import io.stowage.events.BackupSources;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.ConfigRejected;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static io.stowage.config.it.ConfigServiceIT.config;
import static io.stowage.config.it.ConfigServiceIT.line;
import static io.stowage.config.it.ConfigServiceIT.topology;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restore's inline backupSource against the packaged config-service and a real broker: someone publishes
 * restore events on {@code stowage.restore}, the bus shows what config-service did to the topology.
 */
class BackupSourceIT {
    static String bootstrap;
    static Path dir;
    static Path folder;
    static String instance;
    static ServiceProcess service;
    static KafkaEventPublisher restores;

    @BeforeAll
    static void start() throws IOException {
        bootstrap = SharedKafka.bootstrapServers();
        dir = Files.createTempDirectory("config-service-backup-source-it");
        folder = Files.createDirectories(dir.resolve("config"));
        instance = "backup-source-" + UUID.randomUUID();
        service = ConfigServiceProcess.start(bootstrap, folder, dir.resolve("config-service.log"), instance);
        restores = new KafkaEventPublisher(KafkaConnection.to(bootstrap), "backup-source-it");
    }

    @AfterAll
    static void stop() {
        restores.close();
        service.close();
    }

    @Test
    void aClusterWithoutStorageRestoresFromItsSourceAsATemporaryMain_revertedWhenTheRestoreFails() throws Exception {
        String cluster = "dr-" + UUID.randomUUID().toString().substring(0, 8);
        String restoreId = "r-" + UUID.randomUUID().toString().substring(0, 8);
        try (BusWatch bus = new BusWatch(bootstrap, cluster)) {
            save(cluster + ".yaml", restoreOnly(cluster));
            bus.awaitUntil(seen -> topology(seen) != null);
            assertThat(topology(bus.toEnd()).main()).isNull();
            bus.forget();

            Envelope<RestoreRequested> request = restores(new RestoreRequested(cluster, "latest", null, null,
                    fs("/srv/" + cluster + "/primary-site"), null, restoreId, null));
            List<BusReader.Read> seen = bus.awaitUntil(s -> change(s, StorageChange.MAIN_SET) != null
                    && topology(s) != null);
            seen = bus.toEnd();

            assertThat(seen).extracting(r -> line(r.event()))
                    .containsExactlyInAnyOrder("MAIN_SET backup-source", EventType.TOPOLOGY_APPLIED.type());
            assertThat(seen).allSatisfy(r -> {
                assertThat(r.event().correlationId()).isEqualTo(request.correlationId());
                assertThat(r.event().causationId()).isEqualTo(request.id());
            });
            StorageChanged set = change(seen, StorageChange.MAIN_SET);
            assertThat(set.reason()).contains("restore " + restoreId, "spec.pitr.enabled false");
            TopologyApplied temporary = topology(seen);
            assertThat(temporary.main()).isEqualTo(BackupSources.TEMPORARY_MAIN_NAME);
            assertThat(temporary.profiles()).isEmpty();
            assertThat(temporary.spec().pitr().enabled()).isFalse();
            assertThat(temporary.spec().storages()).containsOnlyKeys("backup-source");
            assertThat(temporary.spec().storages().get("backup-source").filesystem().path())
                    .isEqualTo("/srv/" + cluster + "/primary-site");
            bus.forget();

            // Another restore's end is none of this main's business; this restore's end reverts it.
            restores(new RestoreCompleted(cluster, "someone-else", "b1", "x", "/d", "/d.old"));
            Envelope<RestoreFailed> failed = restores(new RestoreFailed(cluster, restoreId,
                    RestoreStepName.FETCH_BASE_BACKUP.wireName(), "no complete backup"));
            seen = bus.awaitUntil(s -> change(s, StorageChange.STORAGE_REMOVED) != null && topology(s) != null);
            seen = bus.toEnd();

            assertThat(seen).extracting(r -> line(r.event()))
                    .containsExactlyInAnyOrder("STORAGE_REMOVED backup-source", EventType.TOPOLOGY_APPLIED.type());
            assertThat(seen).allSatisfy(r -> {
                assertThat(r.event().correlationId()).isEqualTo(request.correlationId());
                assertThat(r.event().causationId()).isEqualTo(failed.id());
            });
            assertThat(change(seen, StorageChange.STORAGE_REMOVED).reason()).contains("restore " + restoreId + " failed");
            TopologyApplied reverted = topology(seen);
            assertThat(reverted.main()).isNull();
            assertThat(reverted.spec().storages()).isEmpty();
            assertThat(reverted.spec().pitr().enabled()).isTrue();
            assertThat(reverted.revision()).isEqualTo(temporary.revision() + 1);
        }
    }

    @Test
    void aSourceElsewhereBecomesAProfileThatOutlivesFileChangesAndARestart() throws Exception {
        String cluster = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        try (BusWatch bus = new BusWatch(bootstrap, cluster)) {
            save(cluster + ".yaml", config(cluster, "a"));
            bus.awaitUntil(seen -> topology(seen) != null);
            bus.forget();

            Envelope<RestoreRequested> request = restores(new RestoreRequested(cluster, "latest", null, null,
                    fs("/srv/" + cluster + "/old-nas"), null, null, null));
            List<BusReader.Read> seen = bus.awaitUntil(s -> change(s, StorageChange.PROFILE_ADDED) != null
                    && topology(s) != null);
            seen = bus.toEnd();

            String profile = change(seen, StorageChange.PROFILE_ADDED).storage();
            assertThat(profile).startsWith(BackupSources.TEMPORARY_MAIN_NAME + "-");
            assertThat(seen).extracting(r -> line(r.event()))
                    .containsExactlyInAnyOrder("PROFILE_ADDED " + profile, EventType.TOPOLOGY_APPLIED.type());
            assertThat(seen).allSatisfy(r -> {
                assertThat(r.event().correlationId()).isEqualTo(request.correlationId());
                assertThat(r.event().causationId()).isEqualTo(request.id());
            });
            assertThat(change(seen, StorageChange.PROFILE_ADDED).reason())
                    .contains("restore " + request.id()); // no restoreId: the request's id is the restore's
            assertThat(topology(seen).profiles()).containsExactly("b", profile);
            assertThat(topologyRecord(seen).record().headers().lastHeader(RestoreOverlayHeader.NAME)).isNotNull();
            bus.forget();

            // The restore ends: a profile stays.
            restores(new RestoreCompleted(cluster, request.id(), "b1", profile, "/d", "/d.old"));
            // A restart: the profile is recovered from the topology record, so the next file change keeps it.
            service.stop();
            service = ConfigServiceProcess.start(bootstrap, folder, dir.resolve("config-service.log"), instance);
            save(cluster + ".yaml", config(cluster, "a").replace("port: 5432", "port: 5433"));
            seen = bus.awaitUntil(s -> topology(s) != null);
            seen = bus.toEnd();

            assertThat(seen).extracting(r -> line(r.event())).containsExactly(EventType.TOPOLOGY_APPLIED.type());
            TopologyApplied edited = topology(seen);
            assertThat(edited.spec().postgres().port()).isEqualTo(5433);
            assertThat(edited.main()).isEqualTo("a");
            assertThat(edited.profiles()).containsExactly("b", profile);
            assertThat(edited.spec().storages().get(profile).filesystem().path()).isEqualTo("/srv/" + cluster + "/old-nas");
        }
    }

    @Test
    void aSourceAtAConfiguredStorageOrRequestedTwiceChangesNothing_aRefusalSaysWhy() throws Exception {
        String cluster = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        String unknown = "nowhere-" + UUID.randomUUID().toString().substring(0, 8);
        try (BusWatch bus = new BusWatch(bootstrap, cluster); BusWatch elsewhere = new BusWatch(bootstrap, unknown)) {
            save(cluster + ".yaml", config(cluster, "a"));
            bus.awaitUntil(seen -> topology(seen) != null);
            long revision = topology(bus.toEnd()).revision();
            bus.forget();

            // Storage b's own place (its default prefix spelled out): it IS storage b.
            restores(new RestoreRequested(cluster, "latest", null, null, fs("/srv/" + cluster + "/b", "stowage/" + cluster),
                    null, "same-place", null));
            // One request delivered twice: one profile.
            Envelope<RestoreRequested> twice = Envelope.root("/backup-source-it", new RestoreRequested(cluster, "latest",
                    "dr", null, fs("/srv/" + cluster + "/dr"), null, "twice", null));
            restores.publishAndWait(twice);
            restores.publishAndWait(twice);
            // Same key, same partition: once this last request's refusal is on the bus, all before it are handled.
            Envelope<RestoreRequested> clash = restores(new RestoreRequested(cluster, "latest", "a", null,
                    fs("/srv/" + cluster + "/somewhere-else"), null, "clash", null));
            List<BusReader.Read> seen = bus.awaitUntil(s -> s.stream().anyMatch(r -> r.valid()
                    && r.event().data() instanceof ConfigRejected));
            seen = bus.toEnd();

            assertThat(seen).extracting(r -> line(r.event())).containsExactlyInAnyOrder("PROFILE_ADDED dr",
                    EventType.TOPOLOGY_APPLIED.type(), EventType.CONFIG_REJECTED.type());
            List<BusReader.Read> storageTopic = seen.stream().filter(r -> r.record().topic().equals(Topics.STORAGE))
                    .toList();
            assertThat(storageTopic).extracting(r -> line(r.event()))
                    .containsExactly("PROFILE_ADDED dr", EventType.CONFIG_REJECTED.type());
            assertThat(topology(seen).revision()).isEqualTo(revision + 1);
            BusReader.Read refusal = storageTopic.get(1);
            assertThat(refusal.event().correlationId()).isEqualTo(clash.correlationId());
            assertThat(refusal.event().causationId()).isEqualTo(clash.id());
            ConfigRejected rejected = (ConfigRejected) refusal.event().data();
            assertThat(rejected.field()).isEqualTo("storage");
            assertThat(rejected.source()).isEqualTo("restore.requested.v1 " + clash.id() + " (restore clash)");
            assertThat(rejected.reason()).startsWith("storage 'a' is configured at file:///srv/" + cluster + "/a/stowage/");

            restores(new RestoreRequested(unknown, "latest", null, null, fs("/srv/" + unknown), null, null, null));
            List<BusReader.Read> other = elsewhere.awaitUntil(s -> !s.isEmpty());
            assertThat(other).singleElement().satisfies(r -> {
                assertThat(r.record().topic()).isEqualTo(Topics.STORAGE);
                assertThat(((ConfigRejected) r.event().data()).reason())
                        .startsWith("cluster " + unknown + " is not in the applied topology");
            });
            assertThat(service.alive()).isTrue();
        }
    }

    private static <T extends io.stowage.events.data.StowageEvent> Envelope<T> restores(T data) {
        Envelope<T> event = Envelope.root("/backup-source-it", data);
        restores.publishAndWait(event);
        return event;
    }

    static void save(String name, String yaml) throws IOException {
        ConfigServiceIT.save(folder, name, yaml);
    }

    static StorageChanged change(List<BusReader.Read> seen, StorageChange change) {
        return seen.stream().filter(r -> r.valid() && r.event().data() instanceof StorageChanged c && c.change() == change)
                .map(r -> (StorageChanged) r.event().data()).findFirst().orElse(null);
    }

    static BusReader.Read topologyRecord(List<BusReader.Read> seen) {
        return seen.stream().filter(r -> r.valid() && r.event().data() instanceof TopologyApplied)
                .reduce((a, b) -> b).orElseThrow();
    }

    static StorageSpec fs(String path) {
        return fs(path, null);
    }

    static StorageSpec fs(String path, String prefix) {
        return new StorageSpec(null, StorageType.FILESYSTEM, null, new FilesystemSpec(path, prefix));
    }

    /** A disaster-recovery site: the database, PITR on, and no storage of its own. */
    static String restoreOnly(String cluster) {
        return """
                apiVersion: stowage.io/v1alpha1
                kind: BackupConfig
                metadata:
                  name: %s
                spec:
                  postgres: {host: 127.0.0.1, port: 5432, user: postgres}
                  pitr: {enabled: true}
                """.formatted(cluster);
    }
}
