package io.stowage.backup.settings;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;

/** backup-service settings ({@code stowage.*} in application.properties, or -D / environment overrides). */
@ConfigMapping(prefix = "stowage")
public interface BackupServiceSettings {

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

    Backup backup();

    Transfer storage();

    Wal wal();

    Schedules schedules();

    /** The backup schedules of the clusters' configs ({@code spec.schedules}). */
    interface Schedules {
        /** Whether this instance fires schedules (of the clusters it owns, as for WAL archiving). */
        @WithDefault("true")
        boolean enabled();

        /** How often due times are looked for: a backup is asked for at most this long after its due time. */
        @WithDefault("10s")
        Duration tick();

        /** A schedule's backup that starts more than this after its due time is marked late. */
        @WithDefault("1m")
        Duration lateAfter();
    }

    /** How WAL is archived (clusters with {@code pitr.enabled}). */
    interface Wal {
        /** Whether this instance archives WAL at all. */
        @WithDefault("true")
        boolean enabled();

        /** Where complete segments wait for the main storage (one folder per cluster). */
        @WithDefault(".stowage/wal-spool")
        Path spoolFolder();

        /**
         * The most segment bytes waiting per cluster: at the limit receiving stops, and PostgreSQL keeps the WAL
         * for the cluster's replication slot.
         */
        @WithDefault("1024")
        int queueLimitMib();

        /** A waiting segment older than this publishes {@code wal.lag.v1} LAGGING. */
        @WithDefault("30s")
        Duration lagAlert();

        /** The longest wait between two attempts to store a segment (it doubles from 0.5 s up to this). */
        @WithDefault("30s")
        Duration maxBackoff();

        /** zstd level of archived segments. */
        @WithDefault("1")
        int zstdLevel();

        /** How long a restore's pause may wait for the WAL written so far to be stored. */
        @WithDefault("2m")
        Duration pauseTimeout();

        /**
         * How long a restore's pause holds without a word from the restore (its steps and heartbeats, every 5 s):
         * past it, the restore is taken for dead and archiving and backups resume, so that pg_wal does not grow for
         * good behind a restore that will never resume them.
         */
        @WithDefault("10m")
        Duration pauseLease();
    }

    /** How objects move to S3 storages. */
    interface Transfer {
        /** Multipart part size in MiB (at least 5): memory per upload is part size x (parallel parts + 1). */
        @WithDefault("16")
        int partSizeMib();

        /** Parts in flight per upload. */
        @WithDefault("4")
        int parallelParts();
    }

    /** How base backups are taken. */
    interface Backup {
        /** zstd level: 1 is fast and still shrinks real data well. */
        @WithDefault("1")
        int zstdLevel();

        /** zstd worker threads (0: compress on the copying thread). */
        @WithDefault("2")
        int zstdWorkers();

        /** How often a running backup publishes backup.progress.v1. */
        @WithDefault("2s")
        Duration progressInterval();

        /** pg_basebackup's {@code --max-rate} (e.g. {@code 32M}), to spare a busy primary; empty: no limit. */
        java.util.Optional<String> maxRate();

        /**
         * The longest one run of a backup may take: past it the run is stopped and fails with this reason, and its
         * heartbeats stop. Also how long a request may wait for its acknowledgement before the channel is unhealthy.
         */
        @WithDefault("12h")
        Duration maxDuration();

        /** Backups running at once on this instance (each of a different cluster). */
        @WithDefault("2")
        int maxConcurrent();

        /**
         * How long a started backup may go without a heartbeat (its progress events) before another instance that
         * is handed its request takes it over. Several progress intervals.
         */
        @WithDefault("30s")
        Duration lease();
    }
}
