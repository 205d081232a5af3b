package io.stowage.events.spec;

import java.util.List;
import java.util.Map;

/** A cluster's storages as roles: the main, the profiles, and where each one is. */
public record TopologyView(String main, List<String> profiles, Map<String, StorageLocation> storages) {
}
