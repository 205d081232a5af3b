package io.stowage.events.data;

import io.stowage.events.spec.BackupConfigSpec;

import java.util.List;

/**
 * The config in force for a cluster (compacted, one per cluster): how every service learns a cluster.
 *
 * @param revision         grows by one with each applied change
 * @param spec             the whole spec, every storage's {@code main} flag resolved; secret names only
 * @param resyncAnnotation whether the {@code stowage.io/resync} annotation was set when this was applied
 * @param source           where the config came from (file or resource)
 */
public record TopologyApplied(
        String cluster,
        long revision,
        String main,
        List<String> profiles,
        BackupConfigSpec spec,
        boolean resyncAnnotation,
        String source) implements TopologyEvent {
}
