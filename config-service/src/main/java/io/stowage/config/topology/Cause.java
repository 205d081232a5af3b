package io.stowage.config.topology;

/**
 * The event a plan answers, when it is not a file change: its events join that event's correlation and are
 * caused by it, so a restore's audit trail shows what its backupSource did to the topology.
 */
public record Cause(String correlationId, String causationId) {
}
