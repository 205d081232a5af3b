package io.stowage.resync.settings;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;

/** resync-service settings ({@code stowage.*} in application.properties, or -D / environment overrides). */
@ConfigMapping(prefix = "stowage")
public interface ResyncServiceSettings {

    /**
     * This instance's name among the replicas (client ids, transactional id, static group membership); default: the
     * host name (a pod's name in Kubernetes). Read by event-bus-quarkus' InstanceId.
     */
    java.util.Optional<String> instanceId();

    /** Where secrets are in local mode: secret N, key K is the file {@code <folder>/N/K}. */
    @WithDefault(".stowage/secrets")
    Path secretsFolder();

    /** How many storages are resynced at once. */
    @WithDefault("2")
    int resyncWorkers();
}
