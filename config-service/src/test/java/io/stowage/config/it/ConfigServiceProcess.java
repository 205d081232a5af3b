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
        return start(bootstrapServers, folder, log, instanceId, Map.of());
    }

    /** With more settings, e.g. {@code stowage.config.rescan}. */
    static ServiceProcess start(String bootstrapServers, Path folder, Path log, String instanceId,
                                Map<String, String> settings) throws java.io.IOException {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("kafka.bootstrap.servers", bootstrapServers);
        all.put("stowage.config.folder", folder.toString());
        all.put("stowage.instance-id", instanceId);
        return new ServiceProcess(JAR, all, log).start();
    }
}
