package io.stowage.config.it;

import io.stowage.bus.BusReader;
import io.stowage.events.EventType;
import io.stowage.localstack.ServiceProcess;
import io.stowage.localstack.SharedKafka;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static io.stowage.config.it.ConfigServiceIT.config;
import static io.stowage.config.it.ConfigServiceIT.line;
import static io.stowage.config.it.ConfigServiceIT.save;
import static io.stowage.config.it.ConfigServiceIT.topology;
import static org.assertj.core.api.Assertions.assertThat;

/** Restarts publish nothing twice; a change made while the service was down is published once. */
class ConfigServiceRestartIT {

    @Test
    void restartsPublishNoDuplicateAndCatchUpOnceWithChangesMadeWhileDown() throws Exception {
        String bootstrap = SharedKafka.bootstrapServers();
        String cluster = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = Files.createTempDirectory("config-service-restart-it");
        Path folder = Files.createDirectories(dir.resolve("config"));
        Path log = dir.resolve("config-service.log");
        String instance = "restart-" + UUID.randomUUID();

        ServiceProcess service = null;
        try (BusWatch bus = new BusWatch(bootstrap, cluster)) {
            service = ConfigServiceProcess.start(bootstrap, folder, log, instance);
            save(folder, cluster + ".yaml", config(cluster, "a"));
            bus.awaitUntil(seen -> topology(seen) != null);
            assertThat(bus.toEnd()).extracting(r -> line(r.event()))
                    .containsExactlyInAnyOrder("MAIN_SET a", "PROFILE_ADDED b", EventType.TOPOLOGY_APPLIED.type());
            bus.forget();

            // A clean stop and a crash: neither restart republishes what is already on the bus.
            service.stop();
            service = ConfigServiceProcess.start(bootstrap, folder, log, instance);
            assertThat(bus.toEnd()).as("after a clean restart").isEmpty();
            service.kill();
            service = ConfigServiceProcess.start(bootstrap, folder, log, instance);
            assertThat(bus.toEnd()).as("after a crash").isEmpty();

            // The main moves while the service is down: published once, at the next start.
            service.stop();
            save(folder, cluster + ".yaml", config(cluster, "b"));
            service = ConfigServiceProcess.start(bootstrap, folder, log, instance);
            List<BusReader.Read> caughtUp = bus.toEnd();
            assertThat(caughtUp).extracting(r -> line(r.event())).containsExactlyInAnyOrder(
                    "MAIN_CHANGED b (was a)", "resync b", "PROFILE_REMOVED b", "PROFILE_ADDED a",
                    EventType.TOPOLOGY_APPLIED.type());
            assertThat(topology(caughtUp).revision()).isEqualTo(2);
            bus.forget();

            service.stop();
            service = ConfigServiceProcess.start(bootstrap, folder, log, instance);
            assertThat(bus.toEnd()).as("after catching up and restarting").isEmpty();
        } finally {
            if (service != null) {
                service.close();
            }
        }
    }
}
