package io.stowage.resync.settings;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;

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

    /**
     * Where secrets are read from: {@code folder} (the secrets folder: local mode, or Secrets mounted as volumes) or
     * {@code kubernetes} (the Kubernetes API, by name, in each cluster's namespace).
     */
    @WithDefault("folder")
    String secretsSource();

    /** With {@code secrets-source=kubernetes}: the namespace for cluster ids without one; default the pod's. */
    java.util.Optional<String> secretsNamespace();

    /** How many storages are resynced at once. */
    @WithDefault("2")
    int resyncWorkers();

    /** Retention: expiry of backups and WAL by each storage's {@code retention}. */
    Retention retention();

    interface Retention {
        /** Off: nothing is ever removed, and retention requests are answered with {@code retention.failed.v1}. */
        @WithDefault("true")
        boolean enabled();

        /**
         * An incomplete backup is removed once nothing was written to it for this long. Make it longer than the
         * longest a backup takes between two of its files (S3 shows a file only once it is whole).
         */
        @WithDefault("24h")
        Duration incompleteGrace();

        /**
         * A restore holds its backup until its outcome, or until nothing was heard of it for this long
         * (restore-service says a restore is alive every few seconds).
         */
        @WithDefault("10m")
        Duration restoreLease();

        /**
         * How often every cluster with a retention has it applied even when no backup completes, so that
         * {@code maxAge} acts between backups. Read by the {@code @Scheduled} in ResyncService.
         */
        @WithDefault("1h")
        Duration interval();
    }
}
