package io.stowage.cli.topology;

/** One storage of a cluster as {@code storage list} shows it; the location carries no secret. */
public record StorageRow(String name, StorageRole role, String type, String location, Since since) {
}
