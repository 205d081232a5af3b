package io.stowage.config.it;

import io.stowage.localstack.ServiceProcess;

import java.nio.file.Path;
import java.util.Map;

/** The packaged config-service, run as its own process the way `stowage up` runs it. */
final class ConfigServiceProcess {
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private ConfigServiceProcess() {
    }

    static ServiceProcess start(String bootstrapServers, Path folder, Path log, String instanceId) throws java.io.IOException {
        return new ServiceProcess(JAR, Map.of(
                "kafka.bootstrap.servers", bootstrapServers,
                "stowage.config.folder", folder.toString(),
                "stowage.instance-id", instanceId), log).start();
    }
}
