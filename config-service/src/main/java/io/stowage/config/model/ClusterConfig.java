package io.stowage.config.model;

import io.stowage.events.spec.BackupConfigSpec;

import java.util.List;

/**
 * A valid desired config of one cluster, its roles resolved.
 *
 * @param spec             the spec with every storage's {@code main} flag set explicitly
 * @param mainImplied      true when the only storage had no {@code main} flag and became the main
 * @param resyncAnnotation whether {@code stowage.io/resync: "true"} is set
 */
public record ClusterConfig(
        String cluster,
        String source,
        int document,
        BackupConfigSpec spec,
        String main,
        List<String> profiles,
        boolean mainImplied,
        boolean resyncAnnotation) {
}
