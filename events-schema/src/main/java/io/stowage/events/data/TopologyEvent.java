package io.stowage.events.data;

/** Records on the compacted {@code stowage.topology}: the applied config per cluster. */
public sealed interface TopologyEvent extends StowageEvent permits TopologyApplied {
}
