package io.stowage.config.settings;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** config-service settings ({@code stowage.*} in application.properties, or -D / environment overrides). */
@ConfigMapping(prefix = "stowage")
public interface ConfigServiceSettings {

    /**
     * This instance's name among the replicas (client ids, transactional id, static group membership); default: the
     * host name (a pod's name in Kubernetes). Read by event-bus-quarkus' InstanceId.
     */
    Optional<String> instanceId();

    /** Where config comes from. */
    Source config();

    /** Which replica applies config, when several run (Kubernetes only). */
    LeaderElection leaderElection();

    /**
     * Leader election: one replica applies and publishes, the others stand by. Off by default (one replica).
     */
    interface LeaderElection {
        @WithDefault("false")
        boolean enabled();

        /**
         * How: {@code lease} (a {@code coordination.k8s.io} Lease, on Kubernetes) or {@code kafka} (the member of a
         * consumer group that holds partition 0 of {@code stowage.topology}; anywhere, with the folder source).
         */
        @WithDefault("lease")
        String via();

        /** With {@code via=kafka}: how long a killed leader holds the lead (the group's session timeout). */
        @WithDefault("10s")
        Duration sessionTimeout();

        /** The Lease's name. */
        @WithDefault("stowage-config-service")
        String lease();

        /** The Lease's namespace; default the Kubernetes client's (the pod's) namespace. */
        Optional<String> namespace();

        /** How long a lease holds without renewal: a killed leader is replaced within about this. */
        @WithDefault("10s")
        Duration leaseDuration();

        /** How long the leader keeps trying to renew before it gives the lead up. */
        @WithDefault("7s")
        Duration renewDeadline();

        /** How often standbys try to take the lease, and the leader renews it. */
        @WithDefault("2s")
        Duration retryPeriod();
    }

    /** The GitOps folder source. */
    interface Source {
        /** The folder of BackupConfig YAML files (read recursively). */
        @WithDefault(".stowage/config")
        Path folder();

        /** Quiet time after the last file event before a change is applied: one save, one apply. */
        @WithDefault("100ms")
        Duration debounce();

        /**
         * A full rescan this often, in case a file event was lost (network filesystems drop some); BackupConfig
         * resources are applied again as often (a Secret created since lets a held-back config apply).
         */
        @WithDefault("60s")
        Duration rescan();

        /**
         * Where BackupConfigs come from: {@code folder} (the GitOps folder), {@code kubernetes} (BackupConfig
         * resources through the Kubernetes API), or both.
         */
        @WithDefault("folder")
        List<String> sources();

        /** The Kubernetes source. */
        Kubernetes kubernetes();
    }

    /** BackupConfig resources as a config source ({@code stowage.config.sources} includes {@code kubernetes}). */
    interface Kubernetes {
        /** The namespaces whose BackupConfigs are followed; absent: all namespaces. */
        Optional<List<String>> namespaces();
    }
}
