package io.stowage.events.spec;

/** Point-in-time recovery: whether WAL is archived continuously to the main storage. */
public record PitrSpec(boolean enabled) {
}
