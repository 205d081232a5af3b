package io.stowage.restore.settings;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;

/** restore-service settings ({@code stowage.*} in application.properties, or -D / environment overrides). */
@ConfigMapping(prefix = "stowage")
public interface RestoreServiceSettings {

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

    /** The restore settings. */
    Restore restore();

    interface Restore {
        /** How long backup-service may take to answer a pause or a resume of WAL archiving. */
        @WithDefault("3m")
        Duration answerTimeout();

        /** How long a resync of the storage to restore from may take, when the catalog does not know the backup. */
        @WithDefault("10m")
        Duration resyncTimeout();

        /** How long the restored server may take to replay WAL and promote. */
        @WithDefault("2h")
        Duration promotionTimeout();

        /** How long the restored server may stay at the end of the fetched WAL without reaching the target. */
        @WithDefault("20s")
        Duration stallTimeout();

        /** How many WAL segments are downloaded at once before replay. */
        @WithDefault("4")
        int walFetchThreads();

        /** Restores running at once on this instance (each of a different cluster). */
        @WithDefault("2")
        int maxConcurrent();

        /** How often a running restore publishes restore.progress.v1 (its heartbeat). */
        @WithDefault("5s")
        Duration heartbeat();

        /**
         * How long a started restore may go without a heartbeat before another instance handed its request runs it
         * (its steps skip what was done). Several heartbeats.
         */
        @WithDefault("60s")
        Duration lease();

        /** Restores into a new volume (target.volume), as Kubernetes Jobs. */
        Jobs jobs();

        /**
         * The clusters this instance restores, by name or glob ({@code pg-*}): a host agent names the clusters whose
         * data is on its host. Every cluster, by default.
         */
        java.util.Optional<java.util.List<String>> serves();

        /**
         * The consumer group this instance reads restore requests in: one per host, shared by that host's agents
         * (each request reaches every group, and each group's agents split its partitions).
         */
        @WithDefault("stowage-restore-service")
        String group();
    }

    /** {@code stowage.restore.jobs.*}: restores into a new PersistentVolumeClaim, each by a Job. */
    interface Jobs {
        /** Whether this restore-service makes restore Jobs (on Kubernetes); without, such restores are refused. */
        @WithDefault("false")
        boolean enabled();

        /** The Jobs' image; default restore-service's own (its Pod's), which holds the executor and PostgreSQL 15. */
        java.util.Optional<String> image();

        /** Where claims and Jobs go; default each cluster's namespace (restore-service's own for ids without one). */
        java.util.Optional<String> namespace();

        /** The Jobs' service account; default the namespace's default (no API token is mounted either way). */
        java.util.Optional<String> serviceAccount();

        /** How often a running Job and its log are looked at. */
        @WithDefault("2s")
        Duration poll();

        /**
         * How long a Job may run (its active deadline); below the 12 h a request may wait on the requests channel,
         * so the restore ends Failed before the channel gives up on it.
         */
        @WithDefault("11h")
        Duration timeout();
    }
}
