package io.stowage.config.it;

import io.stowage.bus.BusReader;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.ConfigRejected;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.stowage.config.it.ConfigServiceIT.config;
import static io.stowage.config.it.ConfigServiceIT.save;
import static io.stowage.config.it.ConfigServiceIT.topology;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged config-service on config folders as GitOps tools and volumes leave them: a folder that is a link swapped
 * by git-sync, a folder that vanishes for a while, a file caught while it is written. Each test runs its own service
 * on its own folder.
 */
class ConfigFolderFaultsIT {

    @Test
    void aGitSyncFolderIsReadThroughItsLinkAndEachSwapIsSeenAtOnce() throws IOException {
        String bootstrap = SharedKafka.bootstrapServers();
        String cluster = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = Files.createTempDirectory("config-folder-gitsync-it");
        Path v1 = Files.createDirectories(dir.resolve(".worktrees/v1"));
        save(v1, cluster + ".yaml", config(cluster, "a"));
        Path current = Files.createSymbolicLink(dir.resolve("current"), Path.of(".worktrees/v1"));

        // A rescan every 10 minutes: whatever is applied within the test's wait, the watcher saw.
        try (BusWatch bus = new BusWatch(bootstrap, cluster);
             ServiceProcess service = ConfigServiceProcess.start(bootstrap, current, dir.resolve("config-service.log"),
                     "gitsync-" + UUID.randomUUID(), Map.of("stowage.config.rescan", "10m"))) {
            bus.awaitUntil(seen -> topology(seen) != null && topology(seen).main().equals("a"));
            assertThat(topology(bus.toEnd()).source()).isEqualTo(current.resolve(cluster + ".yaml").toString());

            // git-sync's swap: a new worktree, then a new link renamed over the old one.
            Path v2 = Files.createDirectories(dir.resolve(".worktrees/v2"));
            save(v2, cluster + ".yaml", config(cluster, "b"));
            Path link = Files.createSymbolicLink(dir.resolve(".current.tmp"), Path.of(".worktrees/v2"));
            Files.move(link, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

            List<BusReader.Read> seen = bus.awaitUntil(s -> topology(s) != null && topology(s).main().equals("b"));
            assertThat(topology(seen).source()).isEqualTo(current.resolve(cluster + ".yaml").toString());
            assertThat(topology(seen).revision()).isEqualTo(2);
        }
    }

    @Test
    void aVanishedFolderAndAFileCaughtMidWriteRemoveNoCluster() throws IOException {
        String bootstrap = SharedKafka.bootstrapServers();
        String cluster = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        String marker = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = Files.createTempDirectory("config-folder-faults-it");
        Path folder = Files.createDirectories(dir.resolve("config"));

        // A rescan every second, as the worst case: every moment of a fault is read.
        try (BusWatch bus = new BusWatch(bootstrap, cluster, folder);
             BusWatch markerBus = new BusWatch(bootstrap, marker);
             ServiceProcess service = ConfigServiceProcess.start(bootstrap, folder, dir.resolve("config-service.log"),
                     "faults-" + UUID.randomUUID(), Map.of("stowage.config.rescan", "1s"))) {
            save(folder, cluster + ".yaml", config(cluster, "a"));
            bus.awaitUntil(seen -> topology(seen) != null);
            bus.forget();

            // Unmounted, or removed by a checkout that is not atomic: the topology stays, and the refusal says why.
            Path away = dir.resolve("away");
            Files.move(folder, away);
            bus.awaitUntil(seen -> rejected(seen).stream().anyMatch(r -> r.source().equals(folder.toString())));
            Files.move(away, folder);

            // A writer that truncates, caught before it writes.
            Files.write(folder.resolve(cluster + ".yaml"), new byte[0]);
            bus.awaitUntil(seen -> rejected(seen).stream().anyMatch(r -> r.source().equals(
                    folder.resolve(cluster + ".yaml").toString())));

            // Another cluster's file, applied after all of the above on the one apply thread: by then, anything the
            // faults caused has been published.
            save(folder, marker + ".yaml", config(marker, "a"));
            markerBus.awaitUntil(seen -> topology(seen) != null);

            List<BusReader.Read> seen = bus.toEnd();
            assertThat(seen).as("no storage change, no tombstone for " + cluster).allSatisfy(r -> {
                assertThat(r.record().topic()).isNotEqualTo(Topics.TOPOLOGY);
                assertThat(r.valid() && r.event().type() == EventType.STORAGE_CHANGED).isFalse();
            });
            assertThat(rejected(seen)).extracting(ConfigRejected::reason)
                    .anySatisfy(reason -> assertThat(reason).contains("does not exist", "the applied topology stays"))
                    .anySatisfy(reason -> assertThat(reason).startsWith("holds no document"));
            assertThat(service.alive()).isTrue();
        }
    }

    static List<ConfigRejected> rejected(List<BusReader.Read> seen) {
        return seen.stream().filter(r -> r.valid() && r.event().data() instanceof ConfigRejected)
                .map(r -> (ConfigRejected) r.event().data()).toList();
    }
}
